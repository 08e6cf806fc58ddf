package org.osms.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.osms.client.KeyStoreFiles;
import org.osms.otr.OtrConversation;
import org.osms.otr.OtrHandshakes;

/**
 * The limit side of {@link MemoryBenchmark}, a process of its own: holds otr4j sessions after a completed OTR v3
 * handshake, the server's side of each, and nothing else. The handshake runs between two {@link OtrConversation}s
 * with OSMS's policy, as the server runs it; then only the server side's otr4j {@code SessionImpl} is kept (with
 * what it references itself: its engine host and SMP handler), the wrapper and the client side are dropped.
 *
 * <p>Driven by lines on standard input: {@code hold N} makes N sessions and answers {@code held}, {@code drop}
 * forgets them and answers {@code dropped}, end of input ends the process. The parent takes this process's class
 * histogram between the steps, exactly as it takes the server's.
 */
public final class HeldOtrSessions {
    private static final Field SESSION;

    static {
        try {
            SESSION = OtrConversation.class.getDeclaredField("session");
            SESSION.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private HeldOtrSessions() {
    }

    public static void main(String[] args) throws Exception {
        KeyPair clientKey = KeyStoreFiles.generate();
        KeyPair serverKey = KeyStoreFiles.generate();
        List<Object> held = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready");
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("hold ")) {
                int n = Integer.parseInt(line.substring("hold ".length()));
                for (int i = 0; i < n; i++) {
                    held.add(completed(clientKey, serverKey));
                }
                System.out.println("held");
            } else if (line.equals("drop")) {
                held.clear();
                System.out.println("dropped");
            }
        }
    }

    /** The server side's otr4j session after a completed handshake. */
    private static Object completed(KeyPair clientKey, KeyPair serverKey) throws Exception {
        OtrConversation client = new OtrConversation("client", "osms", clientKey);
        OtrConversation server = new OtrConversation("osms", "client", serverKey);
        OtrHandshakes.run(client, server);
        if (!server.isEncrypted()) {
            throw new IllegalStateException("the in-process handshake did not complete");
        }
        return SESSION.get(server);
    }
}
