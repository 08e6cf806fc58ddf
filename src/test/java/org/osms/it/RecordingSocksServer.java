package org.osms.it;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A SOCKS5 server (RFC 1928, CONNECT without authentication) on 127.0.0.1 that records what it was asked to connect
 * to, exactly as the client sent it, and relays to the address {@code routes} gives for that name. A name it has no
 * route for gets "host unreachable", as from a Tor that cannot reach an onion service. Its own routing never asks a
 * resolver: the test names (.invalid, .onion) exist only in {@code routes}.
 */
public final class RecordingSocksServer implements AutoCloseable {
    /** One CONNECT: the address type (1 IPv4, 3 domain name, 4 IPv6), the address as sent, the port. */
    public record Connect(int addressType, String host, int port) {
    }

    private final Map<String, InetSocketAddress> routes;
    private final ServerSocket server;
    private final List<Connect> connects = Collections.synchronizedList(new ArrayList<>());

    public RecordingSocksServer(Map<String, InetSocketAddress> routes) throws IOException {
        this.routes = Map.copyOf(routes);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "socks-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** The proxy as the client's --proxy option names it. */
    public String uri() {
        return "socks5h://127.0.0.1:" + server.getLocalPort();
    }

    public List<Connect> connects() {
        synchronized (connects) {
            return List.copyOf(connects);
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> serve(client), "socks-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout(30_000);
            DataInputStream in = new DataInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            if (in.readUnsignedByte() != 5) {
                return;
            }
            in.readNBytes(in.readUnsignedByte());
            out.write(new byte[] {5, 0});
            byte[] head = in.readNBytes(4);
            if (head.length < 4 || head[0] != 5 || head[1] != 1) {
                out.write(new byte[] {5, 7, 0, 1, 0, 0, 0, 0, 0, 0});
                return;
            }
            int type = head[3];
            String host = switch (type) {
                case 1 -> InetAddress.getByAddress(in.readNBytes(4)).getHostAddress();
                case 4 -> InetAddress.getByAddress(in.readNBytes(16)).getHostAddress();
                case 3 -> new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.US_ASCII);
                default -> null;
            };
            if (host == null) {
                out.write(new byte[] {5, 8, 0, 1, 0, 0, 0, 0, 0, 0});
                return;
            }
            int port = in.readUnsignedShort();
            connects.add(new Connect(type, host, port));
            InetSocketAddress target = routes.get(host + ":" + port);
            if (target == null) {
                out.write(new byte[] {5, 4, 0, 1, 0, 0, 0, 0, 0, 0});
                return;
            }
            try (Socket upstream = new Socket(target.getAddress(), target.getPort())) {
                out.write(new byte[] {5, 0, 0, 1, 0, 0, 0, 0, 0, 0});
                out.flush();
                client.setSoTimeout(0);
                Thread back = new Thread(() -> copy(upstream, client), "socks-relay");
                back.setDaemon(true);
                back.start();
                copy(client, upstream);
                back.join(30_000);
            }
        } catch (IOException | InterruptedException e) {
            // the client went away: nothing to record
        }
    }

    private static void copy(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            in.transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // one side closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
