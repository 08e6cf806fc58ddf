package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osms.it.Deployments;
import org.osms.it.Http;
import org.osms.protocol.AdmissionPuzzle;
import org.osms.protocol.Username;

/**
 * Admission inside the container (docs/protocol.md, "Admission"): the two classes of unauthenticated conversations,
 * displacement of the oldest, the short life of registration conversations, and the puzzle over HTTP. The registry
 * and admission are this test deployment's own, so the counts are exact.
 */
@ExtendWith(ArquillianExtension.class)
class AdmissionIT {
    private static final Username SOMEONE = Username.of("someone");

    @Deployment
    static WebArchive deployment() {
        return Deployments.osmsWith("osms-it-admission", AdmissionIT.class);
    }

    @Inject
    ConversationRegistry registry;

    @Inject
    Admission admission;

    @Inject
    SessionSettings settings;

    @Inject
    Clock clock;

    @ArquillianResource
    URL deploymentUrl;

    private final List<SessionId> opened = new ArrayList<>();

    @AfterEach
    void endAll() {
        opened.forEach(registry::end);
        assertEquals(0, registry.live());
        assertEquals(0, admission.held());
    }

    private SessionId open(Username user) {
        SessionId id = registry.open(user, Circuit.LOCAL, 0);
        opened.add(id);
        return id;
    }

    private void completeHandshake(SessionId id) {
        registry.markEncrypted(registry.find(id).orElseThrow());
        admission.handshakeDone(id);
    }

    @Test
    void aFullClassDisplacesItsOldestAndLeavesTheOtherClassAlone() {
        List<SessionId> registrations = new ArrayList<>();
        for (int i = 0; i < settings.maxRegistrations(); i++) {
            registrations.add(open(null));
        }
        List<SessionId> logins = new ArrayList<>();
        for (int i = 0; i < settings.maxHandshakes(); i++) {
            logins.add(open(SOMEONE));
        }
        assertEquals(settings.maxHandshakes(), admission.held(Admission.Kind.LOGIN));
        assertEquals(settings.maxRegistrations(), admission.held(Admission.Kind.REGISTRATION));

        SessionId newcomer = open(SOMEONE);
        assertTrue(registry.find(logins.get(0)).isEmpty(), "the oldest login handshake made room");
        assertTrue(registry.find(newcomer).isPresent());
        logins.subList(1, logins.size()).forEach(id -> assertTrue(registry.find(id).isPresent()));
        registrations.forEach(id -> assertTrue(registry.find(id).isPresent(), "the other class is untouched"));
        assertEquals(settings.maxHandshakes(), admission.held(Admission.Kind.LOGIN));
        assertEquals(settings.maxHandshakes() + settings.maxRegistrations(), registry.live());

        SessionId newRegistration = open(null);
        assertTrue(registry.find(registrations.get(0)).isEmpty(), "the oldest registration made room");
        assertTrue(registry.find(newRegistration).isPresent());
        assertTrue(registry.find(logins.get(1)).isPresent(), "logins are untouched");
    }

    @Test
    void aHandshakeThatCompletedLeavesItsClassAndIsNeverDisplaced() {
        SessionId loggedIn = open(SOMEONE);
        completeHandshake(loggedIn);
        assertEquals(0, admission.held(Admission.Kind.LOGIN));
        for (int i = 0; i <= settings.maxHandshakes(); i++) {
            open(SOMEONE);
        }
        assertTrue(registry.find(loggedIn).isPresent());
    }

    @Test
    void aHandshakeMustCompleteWithinItsTimeoutWhateverTheClientSends() {
        SessionId id = open(SOMEONE);
        // requests refresh a conversation's idle time; the handshake deadline counts from its start regardless
        registry.find(id);
        assertEquals(0, registry.expireIdle(clock.instant()));
        registry.expireIdle(clock.instant().plus(settings.handshakeTimeout()).plusSeconds(1));
        assertTrue(registry.find(id).isEmpty());
        assertEquals(0, admission.held());
    }

    @Test
    void aRegistrationConversationThatDoesNotRegisterEndsAfterItsShortLifetime() {
        SessionId idle = open(null);
        SessionId registered = open(null);
        completeHandshake(idle);
        completeHandshake(registered);
        admission.registered(registered);
        assertEquals(1, admission.held(Admission.Kind.REGISTRATION));

        registry.expireIdle(clock.instant().plus(settings.registrationTimeout()).minusSeconds(1));
        assertTrue(registry.find(idle).isPresent(), "not before its time");
        registry.expireIdle(clock.instant().plus(settings.registrationTimeout()).plusSeconds(1));
        assertTrue(registry.find(idle).isEmpty(), "ended: it never fills the live cap");
        assertTrue(registry.find(registered).isPresent(), "a registered conversation lives to its idle timeout");
        assertEquals(0, admission.held());
    }

    @Test
    void theDifficultyRisesWithTheRateOfAdmissions() {
        for (int i = 0; i < 4 * settings.maxHandshakes(); i++) {
            open(SOMEONE);
        }
        // 4 caps' worth of admissions within ten seconds: two more bits, four times the work per admission
        assertTrue(admission.requiredBits(Admission.Kind.LOGIN) >= settings.admissionBits() + 2);
        assertEquals(0, admission.requiredBits(Admission.Kind.REGISTRATION), "the other class is still quiet");
    }

    @Test
    void overHttpAHalfFullClassAsksForAPuzzleAndAcceptsEachAnswerOnce() {
        assertEquals(0, admission.requiredBits(Admission.Kind.LOGIN), "no puzzle while the class is quiet");
        while (admission.held(Admission.Kind.LOGIN) * 2 < settings.maxHandshakes()) {
            open(SOMEONE);
        }
        while (admission.held(Admission.Kind.REGISTRATION) * 2 < settings.maxRegistrations()) {
            open(null);
        }
        int live = registry.live();
        Http.Answer refused = createSession("someone", null, null);
        assertEquals(429, refused.status());
        assertEquals("puzzle_required", refused.error());
        String token = refused.header(AdmissionPuzzle.PUZZLE_HEADER);
        int bits = Integer.parseInt(refused.header(AdmissionPuzzle.BITS_HEADER));
        assertTrue(bits >= settings.admissionBits(), "at least the base difficulty");
        assertEquals(live, registry.live(), "a refused request holds nothing");

        long counter = AdmissionPuzzle.solve(token, bits);
        long wrong = counter + 1;
        while (AdmissionPuzzle.isSolved(token, wrong, bits)) {
            wrong++;
        }
        assertEquals("bad_puzzle", createSession("someone", token, String.valueOf(wrong)).error());
        String forged = token.substring(0, 5) + (token.charAt(5) == 'A' ? 'B' : 'A') + token.substring(6);
        Http.Answer notOurs = createSession("someone", forged, String.valueOf(counter));
        assertEquals(429, notOurs.status(), "a token not under this server's key: a fresh puzzle, as after a restart");
        assertEquals("puzzle_required", notOurs.error());
        assertNotEquals(token, notOurs.header(AdmissionPuzzle.PUZZLE_HEADER));
        assertEquals("bad_puzzle", createSession("someone", token, "-1").error());
        assertEquals("bad_puzzle", createSession(null, token, String.valueOf(counter)).error(),
                "a login puzzle does not admit a registration");
        assertEquals(400, createSession("someone", token, null).status());
        assertEquals(live, registry.live(), "refusals hold nothing");

        Http.Answer admitted = createSession("someone", token, String.valueOf(counter));
        assertEquals(200, admitted.status(), admitted.body());
        opened.add(SessionId.parse(admitted.header(SessionResource.SESSION_HEADER)));
        assertEquals(live + 1, registry.live());

        Http.Answer replayed = createSession("someone", token, String.valueOf(counter));
        assertEquals(429, replayed.status(), "an answer admits one conversation only");
        assertEquals("puzzle_required", replayed.error());
        assertNotEquals(token, replayed.header(AdmissionPuzzle.PUZZLE_HEADER), "with a fresh puzzle");
        assertEquals(live + 1, registry.live());

        // an effort declared beyond the price must show in the answer's hash; then it admits as any answer does
        String next = replayed.header(AdmissionPuzzle.PUZZLE_HEADER);
        int nextBits = Integer.parseInt(replayed.header(AdmissionPuzzle.BITS_HEADER));
        long exact = 0;
        while (AdmissionPuzzle.effort(next, exact) != nextBits) {
            exact++;
        }
        Http.Answer overclaimed = createSession("someone", next, String.valueOf(exact), String.valueOf(nextBits + 1));
        assertEquals(400, overclaimed.status(), overclaimed.body());
        assertEquals("bad_puzzle", overclaimed.error());
        assertEquals("bad_puzzle", createSession("someone", next, String.valueOf(exact), "x1").error());
        assertEquals(live + 1, registry.live(), "refusals hold nothing");
        long further = AdmissionPuzzle.solve(next, nextBits + 1);
        Http.Answer paid = createSession("someone", next, String.valueOf(further), String.valueOf(nextBits + 1));
        assertEquals(200, paid.status(), paid.body());
        opened.add(SessionId.parse(paid.header(SessionResource.SESSION_HEADER)));
        assertEquals(live + 2, registry.live());
    }

    /**
     * Over HTTP, an answer that shows more zero bits than its price by luck, with no {@code OSMS-Puzzle-Effort}, is
     * counted at its price: when the class is full it is displaced before conversations that declared more work,
     * even older ones. Counted by its luck, it would outlast them (half of all answers show an extra bit).
     */
    @Test
    void overHttpALuckyAnswerThatDeclaresNothingCountsForItsPriceOnly() {
        List<SessionId> paidMore = new ArrayList<>();
        while (admission.held(Admission.Kind.LOGIN) < settings.maxHandshakes() - 2) {
            SessionId id = registry.open(SOMEONE, Circuit.LOCAL, 1);
            opened.add(id);
            paidMore.add(id);
        }
        Http.Answer asked = createSession("someone", null, null);
        assertEquals("puzzle_required", asked.error());
        String token = asked.header(AdmissionPuzzle.PUZZLE_HEADER);
        int bits = Integer.parseInt(asked.header(AdmissionPuzzle.BITS_HEADER));
        long lucky = AdmissionPuzzle.solve(token, bits + 1); // a zero bit beyond the price, sent without saying so
        Http.Answer undeclared = createSession("someone", token, String.valueOf(lucky));
        assertEquals(200, undeclared.status(), undeclared.body());
        SessionId luckyId = SessionId.parse(undeclared.header(SessionResource.SESSION_HEADER));
        opened.add(luckyId);

        Http.Answer askedAgain = createSession("someone", null, null);
        String next = askedAgain.header(AdmissionPuzzle.PUZZLE_HEADER);
        int nextBits = Integer.parseInt(askedAgain.header(AdmissionPuzzle.BITS_HEADER));
        Http.Answer declared = createSession("someone", next,
                String.valueOf(AdmissionPuzzle.solve(next, nextBits + 1)), String.valueOf(nextBits + 1));
        assertEquals(200, declared.status(), declared.body());
        SessionId declaredId = SessionId.parse(declared.header(SessionResource.SESSION_HEADER));
        opened.add(declaredId);
        assertEquals(settings.maxHandshakes(), admission.held(Admission.Kind.LOGIN), "the class is full");

        opened.add(registry.open(SOMEONE, Circuit.LOCAL, 0)); // makes room for itself
        assertTrue(registry.find(luckyId).isEmpty(), "the lucky answer, the newest but one, went first");
        assertTrue(registry.find(declaredId).isPresent(), "the one that declared its work stays");
        paidMore.forEach(id -> assertTrue(registry.find(id).isPresent(), "so does every older one that paid more"));
        assertEquals(settings.maxHandshakes(), admission.held(Admission.Kind.LOGIN));
    }

    private Http.Answer createSession(String username, String token, String counter) {
        return createSession(username, token, counter, null);
    }

    private Http.Answer createSession(String username, String token, String counter, String effort) {
        Http http = new Http(deploymentUrl.toString());
        HttpRequest.Builder r = HttpRequest.newBuilder(http.uri("/create_session"))
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("?OTRv3?"));
        if (username != null) {
            r.header(SessionResource.USERNAME_HEADER, username);
        }
        if (token != null) {
            r.header(AdmissionPuzzle.PUZZLE_HEADER, token);
        }
        if (counter != null) {
            r.header(AdmissionPuzzle.COUNTER_HEADER, counter);
        }
        if (effort != null) {
            r.header(AdmissionPuzzle.EFFORT_HEADER, effort);
        }
        return http.send(r);
    }
}
