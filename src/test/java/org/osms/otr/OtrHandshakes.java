package org.osms.otr;

import java.util.ArrayList;
import java.util.List;

/** Runs an OTR handshake between two conversations in this process, the way OSMS's HTTP exchange carries it. */
public final class OtrHandshakes {
    private OtrHandshakes() {
    }

    /** Client messages in, server replies out, until neither has anything more to say (at most ten rounds). */
    public static void run(OtrConversation client, OtrConversation server) throws OtrFailure {
        exchange(client.start(), client, server);
    }

    /**
     * The same with the client starting the key exchange itself (a D-H Commit, no query); returns how many messages
     * the client sent the server.
     */
    public static int runStartedByClient(OtrConversation client, OtrConversation server) throws OtrFailure {
        return exchange(client.startKeyExchange(), client, server);
    }

    private static int exchange(List<String> first, OtrConversation client, OtrConversation server)
            throws OtrFailure {
        List<String> toServer = new ArrayList<>(first);
        int sent = 0;
        int rounds = 0;
        while (!toServer.isEmpty() && rounds++ < 10) {
            List<String> toClient = new ArrayList<>();
            for (String m : toServer) {
                toClient.addAll(server.receive(m).replies());
                sent++;
            }
            toServer.clear();
            for (String m : toClient) {
                toServer.addAll(client.receive(m).replies());
            }
        }
        return sent;
    }
}
