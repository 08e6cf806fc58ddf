package org.osms.otr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile OTR messages are refused before otr4j sees them, and refusing one costs the server about what the message
 * itself weighs: otr4j sizes arrays from length fields, so an unchecked 38-byte message made it allocate a gigabyte.
 */
class OtrMessageLimitsTest {
    /** What refusing one message may allocate on the calling thread: a small multiple of its size plus a constant. */
    private static final int ALLOCATION_FACTOR = 16;
    private static final long ALLOCATION_CONSTANT = 64 * 1024;

    private static final int DH_COMMIT = 0x02;
    private static final int DATA = 0x03;
    private static final int DH_KEY = 0x0a;
    private static final int REVEAL_SIGNATURE = 0x11;
    private static final int SIGNATURE = 0x12;

    private static KeyPair clientKey;
    private static KeyPair serverKey;
    /** One real message of each OTR v3 encoded type, from a real handshake and one data message. */
    private static final Map<Integer, String> SAMPLES = new LinkedHashMap<>();

    private static KeyPair dsa1024() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("DSA");
        g.initialize(1024);
        return g.generateKeyPair();
    }

    @BeforeAll
    static void realMessages() throws Exception {
        clientKey = dsa1024();
        serverKey = dsa1024();
        Pair pair = handshake(SAMPLES);
        SAMPLES.put(DATA, pair.client.send("{\"command\":\"whoami\",\"seq\":1}").get(0));
        assertEquals(List.of(DH_COMMIT, DH_KEY, REVEAL_SIGNATURE, SIGNATURE, DATA), List.copyOf(SAMPLES.keySet()));
    }

    private record Pair(OtrConversation client, OtrConversation server) {
    }

    /** The handshake as OSMS's HTTP exchange runs it; every encoded message is recorded under its type. */
    private static Pair handshake(Map<Integer, String> seen) throws OtrFailure {
        OtrConversation client = new OtrConversation("client", "server", clientKey);
        OtrConversation server = new OtrConversation("server", "client", serverKey);
        List<String> toServer = new ArrayList<>(client.start());
        for (int round = 0; round < 10 && !toServer.isEmpty(); round++) {
            List<String> toClient = new ArrayList<>();
            for (String m : toServer) {
                record(seen, m);
                toClient.addAll(server.receive(m).replies());
            }
            toServer.clear();
            for (String m : toClient) {
                record(seen, m);
                toServer.addAll(client.receive(m).replies());
            }
        }
        assertTrue(client.isEncrypted() && server.isEncrypted());
        return new Pair(client, server);
    }

    private static void record(Map<Integer, String> seen, String message) {
        if (message.startsWith("?OTR:")) {
            seen.putIfAbsent(decode(message)[2] & 0xff, message);
        }
    }

    private static byte[] decode(String message) {
        return Base64.getDecoder().decode(message.substring(5, message.length() - 1));
    }

    private static String encode(byte[] bytes) {
        return "?OTR:" + Base64.getEncoder().encodeToString(bytes) + ".";
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** Feeds the message to a conversation that has just started a handshake; asserts refusal and its cost. */
    private static OtrFailure refusedCheaply(String message) throws OtrFailure {
        OtrConversation server = new OtrConversation("server", "client", serverKey);
        server.receive("?OTRv3?");
        assertThrows(OtrFailure.class, () -> server.receive("?OTR:AAM=.")); // loads the refusal path's classes
        long before = allocatedBytes();
        OtrFailure refused = assertThrows(OtrFailure.class, () -> server.receive(message));
        long allocated = allocatedBytes() - before;
        long bound = (long) ALLOCATION_FACTOR * message.length() + ALLOCATION_CONSTANT;
        assertTrue(allocated <= bound, "refusing " + message.length() + " characters allocated " + allocated
                + " bytes; at most " + bound + " allowed");
        assertFalse(server.isEncrypted());
        return refused;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "?OTR:AAMCEjRWeAAAAAB/////AAAAAAAAAAA=.", // D-H Commit claiming 2 GiB of encrypted g^x: was a 500
        "?OTR:AAMCEjRWeAAAAABAAAAAAAAAAAAAAAA=.", // claiming 1 GiB: was a 200 with the gigabyte kept
    })
    void theReportedMessagesAreRefusedWithoutAllocatingWhatTheyClaim(String message) throws OtrFailure {
        assertEquals("The OTR message is malformed.", refusedCheaply(message).getMessage());
    }

    /** Offsets of every DATA or MPI length field in a message of this type, per OTR v3's message layouts. */
    private static List<Integer> lengthFields(byte[] m) {
        int type = m[2] & 0xff;
        // after version (2), type (1), sender and receiver instance tags (4 + 4)
        ByteBuffer b = ByteBuffer.wrap(m).position(11);
        List<Integer> fields = new ArrayList<>();
        String layout = switch (type) {
            case DH_COMMIT -> "DD";          // encrypted g^x, hash of g^x
            case DH_KEY -> "D";              // g^y
            case REVEAL_SIGNATURE -> "DDM";  // revealed key, encrypted signature, MAC
            case SIGNATURE -> "DM";          // encrypted signature, MAC
            case DATA -> "BIIDCDMD";         // flags, key ids, next D-H, CTR, message, MAC, old MAC keys
            default -> throw new IllegalArgumentException("type " + type);
        };
        for (char field : layout.toCharArray()) {
            switch (field) {
                case 'D' -> {
                    fields.add(b.position());
                    b.position(b.position() + 4 + b.getInt(b.position()));
                }
                case 'B' -> b.position(b.position() + 1);
                case 'I' -> b.position(b.position() + 4);
                case 'C' -> b.position(b.position() + 8);
                case 'M' -> b.position(b.position() + 20);
                default -> throw new IllegalStateException();
            }
        }
        assertEquals(m.length, b.position(), "the layout covers the whole message");
        return fields;
    }

    static Stream<Arguments> inflatedLengths() {
        List<Arguments> cases = new ArrayList<>();
        for (Map.Entry<Integer, String> sample : SAMPLES.entrySet()) {
            byte[] m = decode(sample.getValue());
            List<Integer> fields = lengthFields(m);
            for (int f = 0; f < fields.size(); f++) {
                int offset = fields.get(f);
                int remaining = m.length - offset - 4;
                for (int claimed : new int[] {Integer.MAX_VALUE, 1 << 30, 64 << 20, remaining + 1, -1}) {
                    byte[] hostile = m.clone();
                    ByteBuffer.wrap(hostile).putInt(offset, claimed);
                    cases.add(Arguments.of(String.format("type 0x%02x field %d claims %d", sample.getKey(), f,
                            Integer.toUnsignedLong(claimed)), encode(hostile)));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inflatedLengths")
    void everyLengthFieldOfEveryMessageTypeMustFitTheBytesReceived(String what, String hostile) throws OtrFailure {
        refusedCheaply(hostile);
    }

    static Stream<Arguments> structuralFaults() {
        byte[] commit = decode(SAMPLES.get(DH_COMMIT));
        byte[] data = decode(SAMPLES.get(DATA));
        byte[] v2 = commit.clone();
        v2[1] = 2;
        byte[] unknownType = commit.clone();
        unknownType[2] = 0x7f;
        byte[] reservedTag = data.clone();
        ByteBuffer.wrap(reservedTag).putInt(3, 0xff);
        byte[] trailing = java.util.Arrays.copyOf(data, data.length + 1);
        byte[] truncatedMac = java.util.Arrays.copyOf(data, data.length - 8 - 4);
        ByteBuffer.wrap(truncatedMac).putInt(truncatedMac.length - 4, 0);
        return Stream.of(
                Arguments.of("protocol version 2", encode(v2)),
                Arguments.of("unknown message type", encode(unknownType)),
                Arguments.of("reserved sender instance tag", encode(reservedTag)),
                Arguments.of("a byte after the last field", encode(trailing)),
                Arguments.of("cut inside the MAC", encode(java.util.Arrays.copyOf(data, data.length - 30))),
                Arguments.of("cut inside the header", encode(java.util.Arrays.copyOf(data, 7))),
                Arguments.of("no final dot", SAMPLES.get(DATA).substring(0, SAMPLES.get(DATA).length() - 1)),
                Arguments.of("not base64", "?OTR:AAMC$$$$.")
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("structuralFaults")
    void malformedStructureIsRefused(String what, String hostile) throws OtrFailure {
        refusedCheaply(hostile);
    }

    @Test
    void fragmentsAreRefusedAndOtr4jNeverSeesThem() throws OtrFailure {
        OtrConversation client = new OtrConversation("client", "server", clientKey);
        OtrConversation server = new OtrConversation("server", "client", serverKey);
        String commit = server.receive(client.start().get(0)).replies().get(0);
        String dhKey = client.receive(commit).replies().get(0);
        // The client's real D-H Key message cut into two OTR v3 fragments, as a fragmenting client would send it.
        int half = dhKey.length() / 2;
        String tags = "?OTR|" + "%08x|%08x".formatted(decodeTag(dhKey, 3), decodeTag(dhKey, 7));
        String first = tags + ",00001,00002," + dhKey.substring(0, half) + ",";
        String second = tags + ",00002,00002," + dhKey.substring(half) + ",";
        for (String fragment : List.of(first, second, "?OTR," + "1,2," + "A".repeat(60_000) + ",")) {
            OtrFailure refused = assertThrows(OtrFailure.class, () -> server.receive(fragment));
            assertEquals("OTR fragments are not accepted: send whole messages.", refused.getMessage());
        }
        // Had otr4j reassembled the two pieces it would have answered the D-H Key already and moved on; the whole
        // message still completes the handshake exactly as if no fragment had come.
        List<String> reveal = server.receive(dhKey).replies();
        assertEquals(1, reveal.size());
        for (String m : client.receive(reveal.get(0)).replies()) {
            server.receive(m);
        }
        assertTrue(server.isEncrypted());
    }

    @Test
    void aLargeFragmentCostsNoMoreThanItsOwnSize() throws OtrFailure {
        refusedCheaply("?OTR|12345678|87654321,00001,00002," + "A".repeat(60_000) + ",");
    }

    private static long decodeTag(String message, int offset) {
        return Integer.toUnsignedLong(ByteBuffer.wrap(decode(message)).getInt(offset));
    }

    @Test
    void aReplayedDataMessageIsRefusedBeforeOtr4jDecryptsIt() throws OtrFailure {
        Pair pair = handshake(new LinkedHashMap<>());
        String first = pair.client.send("one").get(0);
        String second = pair.client.send("two").get(0);
        assertEquals("one", pair.server.receive(first).plaintext().orElseThrow());
        OtrFailure replay = assertThrows(OtrFailure.class, () -> pair.server.receive(first));
        assertEquals("The OTR data message repeats a counter: it is a replay.", replay.getMessage());
        assertEquals("two", pair.server.receive(second).plaintext().orElseThrow());
        // an older counter under the same key pair, after a newer one: refused as well
        assertThrows(OtrFailure.class, () -> pair.server.receive(first));
        assertThrows(OtrFailure.class, () -> pair.server.receive(second));
        // and the conversation goes on both ways
        assertEquals("ok", pair.client.receive(pair.server.send("ok").get(0)).plaintext().orElseThrow());
        assertEquals("three", pair.server.receive(pair.client.send("three").get(0)).plaintext().orElseThrow());
    }

    @Test
    void aForgedCounterIsNotRecordedSoItCannotLockTheSenderOut() throws OtrFailure {
        Pair pair = handshake(new LinkedHashMap<>());
        String real = pair.client.send("real").get(0);
        byte[] forged = decode(real);
        int ctrOffset = lengthFields(forged).get(0) + 4 + ByteBuffer.wrap(forged).getInt(lengthFields(forged).get(0));
        ByteBuffer.wrap(forged).putLong(ctrOffset, -1L); // the largest counter, under a MAC that no longer fits
        assertThrows(OtrFailure.class, () -> pair.server.receive(encode(forged)));
        assertEquals("real", pair.server.receive(real).plaintext().orElseThrow());
    }

    @Test
    void aCounterOfZeroIsNeverValid() {
        ReceivedCounters counters = new ReceivedCounters();
        assertFalse(counters.isFresh(new OtrEncodedMessage.DataHeader(1, 1, 0)));
        assertTrue(counters.isFresh(new OtrEncodedMessage.DataHeader(1, 1, 1)));
        // unsigned: a counter with the top bit set is larger than 1, not negative
        counters.accepted(new OtrEncodedMessage.DataHeader(1, 1, 1));
        assertTrue(counters.isFresh(new OtrEncodedMessage.DataHeader(1, 1, Long.MIN_VALUE)));
    }

    @Test
    void countersOfKeyPairsOtr4jNoLongerHoldsAreForgotten() {
        ReceivedCounters counters = new ReceivedCounters();
        for (int id = 1; id <= 1000; id++) {
            counters.accepted(new OtrEncodedMessage.DataHeader(id, id, 1));
            counters.accepted(new OtrEncodedMessage.DataHeader(id, id + 1, 1));
        }
        assertTrue(counters.size() <= 4, "kept " + counters.size());
        assertFalse(counters.isFresh(new OtrEncodedMessage.DataHeader(1000, 1000, 1)));
    }

    @Test
    void smpTlvsAreRefusedUnreadEvenWhenTheyClaimGigabytes() throws Exception {
        Pair pair = handshake(new LinkedHashMap<>());
        // A client that completed a handshake (no account needed) encrypts an SMP message whose one MPI claims 2 GiB;
        // the server can only see that after decrypting, so otr4j's SMP parser must never get it.
        java.lang.reflect.Field field = OtrConversation.class.getDeclaredField("session");
        field.setAccessible(true);
        net.java.otr4j.session.SessionImpl client = (net.java.otr4j.session.SessionImpl) field.get(pair.client);
        byte[] smp = ByteBuffer.allocate(12).putInt(1).putInt(Integer.MAX_VALUE).putInt(42).array();
        for (int type : new int[] {net.java.otr4j.session.TLV.SMP1, net.java.otr4j.session.TLV.SMP1Q}) {
            String hostile = client.transformSending("", List.of(new net.java.otr4j.session.TLV(type, smp)))[0];
            long before = allocatedBytes();
            OtrFailure refused = assertThrows(OtrFailure.class, () -> pair.server.receive(hostile));
            long allocated = allocatedBytes() - before;
            assertEquals("Socialist millionaires' protocol is not used by OSMS.", refused.getMessage());
            // what any data message costs (decryption, a D-H key rotation: tens of KiB), not the 2 GiB it claims
            assertTrue(allocated <= 1024 * 1024, "refusing an SMP message allocated " + allocated + " bytes");
        }
        assertEquals("still here", pair.server.receive(pair.client.send("still here").get(0)).plaintext()
                .orElseThrow());
    }
}
