package org.osms.otr;

import java.util.ArrayList;
import java.util.List;

/** Runs an OTR handshake between two conversations in this process, the way OSMS's HTTP exchange carries it. */
public final class OtrHandshakes {
    private OtrHandshakes() {
    }

    /** Client messages in, server replies out, until neither has anything more to say (at most ten rounds). */
    public static void run(OtrConversation client, OtrConversation server) throws OtrFailure {
        List<String> toServer = new ArrayList<>(client.start());
        int rounds = 0;
        while (!toServer.isEmpty() && rounds++ < 10) {
            List<String> toClient = new ArrayList<>();
            for (String m : toServer) {
                toClient.addAll(server.receive(m).replies());
            }
            toServer.clear();
            for (String m : toClient) {
                toServer.addAll(client.receive(m).replies());
            }
        }
    }
}
