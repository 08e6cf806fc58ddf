package org.osms.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.osms.otr.OtrConversation;

class OtrEnvelopeTest {
    private static KeyPair key() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("DSA");
        g.initialize(1024);
        return g.generateKeyPair();
    }

    /** A whole AKE and a data message between two real otr4j conversations: each message has its kind. */
    @Test
    void everyMessageOfARealConversationIsAccepted() throws Exception {
        OtrConversation a = new OtrConversation("a", "b", key());
        OtrConversation b = new OtrConversation("b", "a", key());
        List<OtrEnvelope.Kind> kinds = new ArrayList<>();
        List<String> toB = new ArrayList<>(a.start());
        List<String> toA = new ArrayList<>();
        while (!toB.isEmpty() || !toA.isEmpty()) {
            for (String m : toB) {
                kinds.add(OtrEnvelope.kindOf(m));
                toA.addAll(b.receive(m).replies());
            }
            toB.clear();
            for (String m : List.copyOf(toA)) {
                kinds.add(OtrEnvelope.kindOf(m));
                toB.addAll(a.receive(m).replies());
            }
            toA.removeAll(kinds.isEmpty() ? List.of() : List.copyOf(toA));
        }
        kinds.add(OtrEnvelope.kindOf(a.send("hello").get(0)));
        assertEquals(List.of(OtrEnvelope.Kind.QUERY, OtrEnvelope.Kind.DH_COMMIT, OtrEnvelope.Kind.DH_KEY,
                OtrEnvelope.Kind.REVEAL_SIGNATURE, OtrEnvelope.Kind.SIGNATURE, OtrEnvelope.Kind.DATA), kinds);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "hello",                      // plaintext
        "?OTRv3? please talk OTR",    // a query with explanatory text
        "?OTRv2?",                    // a query that cannot lead to version 3
        "?OTR Error: anything",       // free text
        "?OTR|5a73a599|27e31597,00001,00003,?OTR:AAMDJ+MVmSfjFZcAAAAAAQAAAAIAAADA1g5IjD1ZGLDVQEyCgCyn9hb,", // fragment
        "?OTR:AAMD",                  // no final dot
        "?OTR:AAMD*.",                // not base64
        "?OTR:AAID.",                 // too short for a v3 header
        " ?OTRv3?",                   // leading space
        ""})
    void anythingElseIsRefused(String body) {
        assertEquals("not_otr", assertThrows(ProtocolException.class, () -> OtrEnvelope.kindOf(body)).code());
    }

    @Test
    void versionTwoAndUnknownTypesAreRefused() {
        byte[] v2 = {0, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0};
        byte[] unknownType = {0, 3, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0};
        for (byte[] raw : List.of(v2, unknownType)) {
            String body = "?OTR:" + Base64.getEncoder().encodeToString(raw) + ".";
            assertThrows(ProtocolException.class, () -> OtrEnvelope.kindOf(body));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"?OTRv3?", "?OTRv23?", "?OTRv32?", "?OTRv333?", "?OTRv123456789?"})
    void queriesOfferingVersionThreeAreQueries(String body) {
        assertTrue(OtrEnvelope.isQuery(body));
        assertEquals(OtrEnvelope.Kind.QUERY, OtrEnvelope.kindOf(body));
    }

    @ParameterizedTest
    @ValueSource(strings = {"?OTRv?", "?OTRv2?", "?OTRv03?", "?OTRv3", "OTRv3?", "?OTRv3?x", "x?OTRv3?", "?OTRv3 ?",
        "?OTRV3?", "?OTR?", "?OTRv3??", "?OTRvx3?"})
    void anythingElseIsNoQuery(String body) {
        assertFalse(OtrEnvelope.isQuery(body));
    }

    /** The one-pass check accepts exactly what the grammar's regular expression accepts, on short texts. */
    @Test
    void theQueryCheckAgreesWithItsGrammar() {
        Pattern grammar = Pattern.compile("\\?OTRv[1-9]*3[1-9]*\\?");
        String alphabet = "?OTRv0139x";
        Random random = new Random(3);
        for (int i = 0; i < 50_000; i++) {
            StringBuilder body = new StringBuilder(random.nextBoolean() ? "?OTRv" : "");
            for (int n = random.nextInt(8); n > 0; n--) {
                body.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (random.nextBoolean()) {
                body.append('?');
            }
            String text = body.toString();
            assertEquals(grammar.matcher(text).matches(), OtrEnvelope.isQuery(text), text);
        }
    }

    /**
     * A sender chooses the body: a million 3s without the closing {@code ?} is refused in one pass. The regular
     * expression this check replaced backtracked quadratically (about 2 s of CPU for the 48,000 that fit in one
     * command); on this text it would run for minutes, so the generous bound below only catches that again.
     */
    @Test
    void aLongRunOfVersionDigitsIsRefusedInOnePass() {
        String body = "?OTRv" + "3".repeat(1_000_000);
        ProtocolException refused = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(ProtocolException.class, () -> OtrEnvelope.kindOf(body)));
        assertEquals("not_otr", refused.code());
    }
}
