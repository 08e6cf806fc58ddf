package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.osms.web.ApiException;

/**
 * Per-circuit accounting in Admission (docs/protocol.md, "Admission"): the circuit header's parsing, each circuit's
 * share of a class, and that a full class displaces the largest circuit's oldest conversation first.
 */
class AdmissionCircuitTest {
    private static final Instant NOW = Instant.parse("2026-12-02T01:00:00Z");
    private static final Circuit A = Circuit.of("fc00:dead:beef:4dad::1:2");
    private static final Circuit B = Circuit.of("fc00:dead:beef:4dad::7");
    private static final Circuit C = Circuit.of("fc00:dead:beef:4dad::8");

    private final Admission admission = admission(8, 8);
    private final SecureRandom random = new SecureRandom();

    /** An Admission with these caps, OSMS's other defaults, and a clock fixed at {@link #NOW}. */
    static Admission admission(int maxHandshakes, int maxRegistrations) {
        SessionSettings s = new SessionSettings();
        s.idleTimeoutSeconds = "600";
        s.handshakeTimeoutSeconds = "60";
        s.maxLive = "1000";
        s.maxHandshakes = String.valueOf(maxHandshakes);
        s.maxPerIdentity = "8";
        s.powBits = "3";
        s.powMaxBits = "10";
        s.powMemoryKiB = "1024";
        s.powIterations = "1";
        s.registrationRatePerHour = "60";
        s.registrationTimeoutSeconds = "120";
        s.maxRegistrations = String.valueOf(maxRegistrations);
        s.admissionPowBits = "16";
        s.read();
        Admission a = new Admission();
        a.settings = s;
        a.clock = Clock.fixed(NOW, ZoneOffset.UTC);
        a.random = new SecureRandom();
        a.start();
        return a;
    }

    /** What ConversationRegistry.open does with Admission, without beans: room first, then the new ticket. */
    private SessionId open(Admission.Kind kind, Circuit circuit, List<SessionId> displaced) {
        displaced.addAll(admission.makeRoom(kind, circuit));
        SessionId id = SessionId.random(random);
        admission.opened(id, kind, circuit, 0);
        return id;
    }

    @Test
    void theHeaderNamesTheCircuitAndItsAbsenceTheOneLocalCircuit() {
        assertEquals(Circuit.LOCAL, Circuit.of(null));
        assertTrue(Circuit.of(null).local());
        assertEquals("fc00:dead:beef:4dad::1:2", Circuit.of(" FC00:DEAD:BEEF:4DAD::1:2 ").id());
        assertEquals(A, Circuit.of("fc00:dead:beef:4dad::1:2"));
        assertFalse(A.equals(B));
        assertFalse(A.local());
        assertEquals("127.0.0.1", Circuit.of("127.0.0.1").id()); // a PROXY header that is not tor's
        // what the front writes: the circuit's address and the number of the front's start, the longest one too
        assertEquals("fc00:dead:beef:4dad::ffff:ffff:5e0c91d7",
                Circuit.of("fc00:dead:beef:4dad::ffff:ffff:5e0c91d7").id());
        assertFalse(Circuit.of("fc00:dead:beef:4dad::1:2:5e0c91d7")
                        .equals(Circuit.of("fc00:dead:beef:4dad::1:2:0a1b2c3d")),
                "the same circuit number under two starts of the front: two circuits");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", // nothing
        "local", // the local circuit cannot be named
        "abc", // hex without a separator is no address
        "fc00::1, fc00::2", // two values (a client's header appended to the front's)
        "fc00::1;x", // anything but hex digits, dots and colons
        "0000:0000:0000:0000:0000:0000:0000:0000:0000:1", // longer than any address
        "\u0660\u0661:\u0662" // non-ASCII digits
    })
    void aMalformedCircuitHeaderIs400BadCircuit(String header) {
        ApiException e = assertThrows(ApiException.class, () -> Circuit.of(header));
        assertEquals(400, e.status());
        assertEquals("bad_circuit", e.code());
    }

    @Test
    void aCircuitAtItsShareIsRefusedWhileOthersAreAdmitted() {
        assertEquals(2, admission.share(Admission.Kind.LOGIN));
        List<SessionId> displaced = new ArrayList<>();
        SessionId first = open(Admission.Kind.LOGIN, A, displaced);
        open(Admission.Kind.LOGIN, A, displaced);

        Admission.CircuitBusy refused = assertThrows(Admission.CircuitBusy.class,
                () -> admission.check(Admission.Kind.LOGIN, A, null, null, null));
        assertEquals(429, refused.status());
        assertEquals("circuit_busy", refused.code());
        assertEquals(61, refused.retryAfterSeconds(), "the first of A's handshakes reaches its deadline in 60 s");
        assertThrows(Admission.CircuitBusy.class, () -> admission.makeRoom(Admission.Kind.LOGIN, A));
        assertEquals(2, admission.held(Admission.Kind.LOGIN, A), "the refusal held nothing");
        assertEquals(2, admission.held(Admission.Kind.LOGIN));

        // the share is per class: A may still open a registration conversation; B and local are admitted
        admission.check(Admission.Kind.REGISTRATION, A, null, null, null);
        open(Admission.Kind.REGISTRATION, A, displaced);
        admission.check(Admission.Kind.LOGIN, B, null, null, null);
        open(Admission.Kind.LOGIN, B, displaced);
        assertTrue(displaced.isEmpty());

        // one of A's handshakes completing gives A room again
        admission.handshakeDone(first);
        assertEquals(1, admission.held(Admission.Kind.LOGIN, A));
        admission.check(Admission.Kind.LOGIN, A, null, null, null);
    }

    @Test
    void theLocalCircuitHasNoShareOfItsOwn() {
        List<SessionId> displaced = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            open(Admission.Kind.REGISTRATION, Circuit.LOCAL, displaced);
        }
        assertEquals(8, admission.held(Admission.Kind.REGISTRATION, Circuit.LOCAL));
        assertTrue(displaced.isEmpty());
    }

    @Test
    void aFullClassDisplacesTheOldestOfTheCircuitHoldingTheMost() {
        List<SessionId> displaced = new ArrayList<>();
        SessionId bOldest = open(Admission.Kind.LOGIN, B, displaced); // the oldest of all
        List<SessionId> local = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            local.add(open(Admission.Kind.LOGIN, Circuit.LOCAL, displaced));
        }
        SessionId c1 = open(Admission.Kind.LOGIN, C, displaced);
        assertEquals(8, admission.held(Admission.Kind.LOGIN));
        assertTrue(displaced.isEmpty());

        // full: a newcomer from B (holding 1, 2 with the newcomer) displaces the local circuit's oldest (6), not
        // B's own conversation, although B's is the oldest of the class
        SessionId b2 = open(Admission.Kind.LOGIN, B, displaced);
        assertEquals(List.of(local.get(0)), displaced);
        // the local circuit, still the largest with 5 (6 with its newcomer), displaces its own oldest
        displaced.clear();
        open(Admission.Kind.LOGIN, Circuit.LOCAL, displaced);
        assertEquals(List.of(local.get(1)), displaced);
        assertEquals(2, admission.held(Admission.Kind.LOGIN, B));
        assertEquals(1, admission.held(Admission.Kind.LOGIN, C));
        assertEquals(5, admission.held(Admission.Kind.LOGIN, Circuit.LOCAL));
        assertEquals(8, admission.held(Admission.Kind.LOGIN));

        // ended conversations leave their circuit's count
        admission.ended(bOldest);
        admission.ended(b2);
        admission.ended(c1);
        assertEquals(0, admission.held(Admission.Kind.LOGIN, B));
        assertEquals(0, admission.held(Admission.Kind.LOGIN, C));
        assertEquals(5, admission.held(Admission.Kind.LOGIN));
    }

    /**
     * A flood spread over as many circuits as the cap, each newcomer paying the puzzle's price and no more, displaces
     * every cheaper conversation before one whose admission paid a bit more, however old; without that bit, the same
     * flood displaces it first (the oldest, when every circuit holds one).
     */
    @Test
    void aConversationThatShowedMoreWorkOutlastsAFloodThatPaysOnlyThePrice() {
        for (int extra : new int[] {1, 0}) {
            Admission full = admission(8, 8);
            Circuit legit = Circuit.of("fc00:dead:beef:4dad::100");
            SessionId patient = SessionId.random(random);
            full.makeRoom(Admission.Kind.REGISTRATION, legit);
            full.opened(patient, Admission.Kind.REGISTRATION, legit, extra);
            List<SessionId> displaced = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Circuit fresh = Circuit.of("fc00:dead:beef:4dad::" + Integer.toHexString(0x200 + i));
                displaced.addAll(full.makeRoom(Admission.Kind.REGISTRATION, fresh));
                full.opened(SessionId.random(random), Admission.Kind.REGISTRATION, fresh, 0);
            }
            assertEquals(8, full.held(Admission.Kind.REGISTRATION));
            assertEquals(33, displaced.size());
            if (extra == 1) {
                assertFalse(displaced.contains(patient), "one bit more outlasts 40 newcomers");
                assertEquals(1, full.held(Admission.Kind.REGISTRATION, legit));
            } else {
                assertEquals(patient, displaced.get(0), "at the same price the oldest goes first");
                assertEquals(0, full.held(Admission.Kind.REGISTRATION, legit));
            }
        }
    }

    /**
     * The largest circuit still makes room first: a flood from a few circuits at their share, each conversation paying
     * two bits more than asked, does not make a conversation that paid one bit more the cheapest target of the class.
     * Newcomers that pay only the price, from fresh circuits, displace the flood's own conversations.
     */
    @Test
    void paidMoreDoesNotMakeTheLargestCircuitsFloodOutlastAnyoneElse() {
        Admission full = admission(20, 20); // a circuit's share: 5
        for (int c = 0; c < 4; c++) {
            Circuit flood = Circuit.of("fc00:dead:beef:4dad::" + Integer.toHexString(0x400 + c));
            for (int i = 0; i < 5; i++) {
                full.opened(SessionId.random(random), Admission.Kind.REGISTRATION, flood, 2);
            }
        }
        Circuit legit = Circuit.of("fc00:dead:beef:4dad::500");
        List<SessionId> displaced = new ArrayList<>(full.makeRoom(Admission.Kind.REGISTRATION, legit));
        SessionId patient = SessionId.random(random);
        full.opened(patient, Admission.Kind.REGISTRATION, legit, 1);
        for (int i = 0; i < 10; i++) {
            Circuit fresh = Circuit.of("fc00:dead:beef:4dad::" + Integer.toHexString(0x600 + i));
            displaced.addAll(full.makeRoom(Admission.Kind.REGISTRATION, fresh));
            full.opened(SessionId.random(random), Admission.Kind.REGISTRATION, fresh, 0);
        }
        assertEquals(11, displaced.size());
        assertFalse(displaced.contains(patient), "the flood's circuits make room, not the one that paid a bit more");
        assertEquals(1, full.held(Admission.Kind.REGISTRATION, legit));
        assertEquals(20, full.held(Admission.Kind.REGISTRATION));
    }

    /** Among the conversations of the least work, the largest circuit's oldest still goes first. */
    @Test
    void amongTheCheapestTheLargestCircuitsOldestGoes() {
        Admission full = admission(12, 12); // a circuit's share: 3
        full.opened(SessionId.random(random), Admission.Kind.LOGIN, B, 4);
        SessionId cCheap = SessionId.random(random);
        full.opened(cCheap, Admission.Kind.LOGIN, C, 0);
        SessionId bCheap = SessionId.random(random);
        full.opened(bCheap, Admission.Kind.LOGIN, B, 0);
        for (int i = 0; i < 9; i++) {
            full.opened(SessionId.random(random), Admission.Kind.LOGIN,
                    Circuit.of("fc00:dead:beef:4dad::" + Integer.toHexString(0x300 + i)), 2);
        }
        // B holds two (three with the newcomer): of the cheapest, B's goes, although C's is older
        assertEquals(List.of(bCheap), full.makeRoom(Admission.Kind.LOGIN, B));
        assertEquals(1, full.held(Admission.Kind.LOGIN, C));
        assertEquals(11, full.held(Admission.Kind.LOGIN));
    }

    /**
     * What an admission paid beyond the price is the effort it declares ({@code OSMS-Puzzle-Effort}), which its answer
     * must show; without the header, the price, however many zero bits the answer shows by chance.
     */
    @Test
    void theWorkBeyondThePriceIsTheDeclaredEffortTheAnswerShows() {
        List<SessionId> displaced = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            open(Admission.Kind.LOGIN, Circuit.LOCAL, displaced);
        }
        int price = admission.requiredBits(Admission.Kind.LOGIN);
        assertEquals(16, price, "half full: the base difficulty");
        String token = admission.issue(Admission.Kind.LOGIN, price);
        long further = org.osms.protocol.AdmissionPuzzle.solve(token, price + 1);
        for (String bad : List.of(String.valueOf(price - 1), "41", "x", "", "017x", "100")) {
            ApiException e = assertThrows(ApiException.class,
                    () -> admission.check(Admission.Kind.LOGIN, B, token, String.valueOf(further), bad), bad);
            assertEquals("bad_puzzle", e.code(), bad);
        }
        long priced = 0;
        while (org.osms.protocol.AdmissionPuzzle.effort(token, priced) != price) {
            priced++; // an answer of exactly the price
        }
        String pricedCounter = String.valueOf(priced);
        ApiException overclaimed = assertThrows(ApiException.class, () -> admission.check(Admission.Kind.LOGIN, B,
                token, pricedCounter, String.valueOf(price + 1)));
        assertEquals("bad_puzzle", overclaimed.code(), "an effort the answer does not show");
        assertEquals(1, admission.check(Admission.Kind.LOGIN, B, token, String.valueOf(further),
                String.valueOf(price + 1)));

        String lucky = admission.issue(Admission.Kind.LOGIN, price);
        long luckyCounter = org.osms.protocol.AdmissionPuzzle.solve(lucky, price + 1);
        assertEquals(0, admission.check(Admission.Kind.LOGIN, C, lucky, String.valueOf(luckyCounter), null),
                "undeclared, an answer counts for the price, whatever it shows");

        // a puzzle issued when the price was higher: what it asked is no work beyond the price, declared or not
        String dearer = admission.issue(Admission.Kind.LOGIN, price + 1);
        long dearerCounter = org.osms.protocol.AdmissionPuzzle.solve(dearer, price + 2);
        assertEquals(0,
                admission.check(Admission.Kind.LOGIN, Circuit.LOCAL, dearer, String.valueOf(dearerCounter), null));
        String dearer2 = admission.issue(Admission.Kind.LOGIN, price + 1);
        long dearer2Counter = org.osms.protocol.AdmissionPuzzle.solve(dearer2, price + 2);
        assertEquals(1, admission.check(Admission.Kind.LOGIN, Circuit.LOCAL, dearer2, String.valueOf(dearer2Counter),
                String.valueOf(price + 2)), "declared beyond what it asked: one bit");
    }

    @Test
    void whenEveryCircuitHoldsOneTheOldestMakesRoom() {
        Admission small = admission(4, 4);
        List<SessionId> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            SessionId id = SessionId.random(random);
            small.makeRoom(Admission.Kind.REGISTRATION, Circuit.of("fc00:dead:beef:4dad::" + (i + 1)));
            small.opened(id, Admission.Kind.REGISTRATION, Circuit.of("fc00:dead:beef:4dad::" + (i + 1)), 0);
            ids.add(id);
        }
        assertEquals(1, small.share(Admission.Kind.REGISTRATION));
        assertEquals(List.of(ids.get(0)), small.makeRoom(Admission.Kind.REGISTRATION, Circuit.of("fc00::99")));
        assertEquals(3, small.held(Admission.Kind.REGISTRATION));
    }
}
