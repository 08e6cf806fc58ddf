package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osms.it.Deployments;
import org.osms.it.Http;
import org.osms.protocol.Username;

/**
 * The conversation beans inside the container: @Remove and idle expiry really destroy them, and the caps hold. The
 * beans counted are this deployment's (a test deployment has its own registry and bean class).
 */
@ExtendWith(ArquillianExtension.class)
class ConversationLifecycleIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.osmsWith("osms-it-conversation", ConversationLifecycleIT.class);
    }

    @Inject
    ConversationRegistry registry;

    @Inject
    SessionSettings settings;

    @Inject
    Clock clock;

    @Inject
    Admission admission;

    @ArquillianResource
    URL deploymentUrl;

    @Test
    void endingAConversationDestroysItsBean() {
        int before = Conversation.liveBeans();
        SessionId id = registry.open(null, Circuit.LOCAL, 0);
        assertEquals(before + 1, Conversation.liveBeans());
        registry.end(id);
        assertEquals(before, Conversation.liveBeans(), "@Remove destroyed the bean");
        assertEquals(true, registry.find(id).isEmpty());
    }

    /**
     * Ended conversations leave no object behind: counted in a class histogram of this server (taken after a full GC)
     * before and after many conversations ended by logout and by displacement. It once grew by one EJB wrapper and
     * one CDI proxy per conversation, for good (CDI's Instance kept every bean it made). The EJB container's own
     * wrappers (EJSLocal…) are not counted: the container caches a bounded number of them by design.
     */
    @Test
    void endedConversationsLeaveNoObjectsBehind() throws Exception {
        int conversations = 200;
        int live = registry.live();
        int beans = Conversation.liveBeans();
        for (int i = 0; i < 10; i++) { // the first conversations of a deployment may fill caches meant to fill
            registry.end(registry.open(null, Circuit.LOCAL, 0));
        }
        long before = conversationObjects();
        Username someone = Username.of("someone");
        long identity = 4_242_424_242L;
        for (int i = 0; i < conversations / 2; i++) {
            registry.end(registry.open(null, Circuit.LOCAL, 0)); // logout
            SessionId displaced = registry.open(someone, Circuit.LOCAL, 0);
            registry.markEncrypted(registry.find(displaced).orElseThrow(), identity);
            SessionId current = registry.open(someone, Circuit.LOCAL, 0);
            registry.markEncrypted(registry.find(current).orElseThrow(), identity);
            registry.endOthersOf(identity, current); // a new key or a closed identity ends the others
            assertEquals(true, registry.find(displaced).isEmpty());
            registry.end(current);
        }
        long after = conversationObjects();
        assertEquals(live, registry.live(), "the registry holds no ended conversation");
        assertEquals(beans, Conversation.liveBeans(), "every bean was destroyed");
        assertEquals(true, after <= before,
                "conversation objects before " + before + ", after " + (conversations * 3 / 2) + " more ended: "
                        + after);
    }

    /** Live objects of the conversation's classes (bean, proxies and subclasses, state) in this server. */
    private static long conversationObjects() throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {null}, new String[] {String[].class.getName()});
        Matcher m = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+"
                + "org\\.osms\\.session\\.(?:Conversation|Conversation\\$\\S*|ConversationState)(?:\\s|$)")
                .matcher(histogram);
        long n = 0;
        while (m.find()) {
            n += Long.parseLong(m.group(1));
        }
        return n;
    }

    @Test
    void idleConversationsExpireAndTheirBeansAreDestroyed() {
        int before = Conversation.liveBeans();
        SessionId id = registry.open(null, Circuit.LOCAL, 0);
        assertEquals(0, registry.expireIdle(clock.instant()), "not idle yet");
        int expired = registry.expireIdle(clock.instant().plus(settings.handshakeTimeout()).plusSeconds(1));
        assertEquals(true, expired >= 1);
        assertEquals(true, registry.find(id).isEmpty());
        assertEquals(before, Conversation.liveBeans());
    }

    @Test
    void anEncryptedConversationLivesUntilItsIdleTimeout() {
        SessionId id = registry.open(Username.of("someone"), Circuit.LOCAL, 0);
        try {
            registry.markEncrypted(registry.find(id).orElseThrow());
            admission.handshakeDone(id);
            registry.expireIdle(clock.instant().plus(settings.handshakeTimeout()).plusSeconds(1));
            assertEquals(true, registry.find(id).isPresent(), "the handshake limit does not apply any more");
            registry.expireIdle(clock.instant().plus(settings.idleTimeout()).plusSeconds(1));
            assertEquals(true, registry.find(id).isEmpty(), "the idle limit does");
        } finally {
            registry.end(id);
        }
    }

    /** A conversation whose login handshake proved {@code identity}'s key, as SessionResource records it. */
    private SessionId loggedIn(long identity) {
        SessionId id = registry.open(Username.of("someone"), Circuit.LOCAL, 0);
        registry.markEncrypted(registry.find(id).orElseThrow(), identity);
        admission.handshakeDone(id);
        return id;
    }

    /**
     * The cap of logged-in conversations refuses nobody: a handshake is still admitted at the cap, and the login that
     * would pass it ends the least recently used conversation of the identity that holds the most. Many keys each
     * logged in several times therefore cannot lock out users who hold one conversation each.
     */
    @Test
    void aLoginAtTheCapEndsTheLeastRecentlyUsedConversationOfTheBiggestHolder() throws InterruptedException {
        List<SessionId> biggest = new ArrayList<>();
        List<SessionId> others = new ArrayList<>();
        List<SessionId> opened = new ArrayList<>();
        long identity = 9_000_000_000L;
        try {
            for (int i = 0; i < settings.maxPerIdentity(); i++) {
                biggest.add(loggedIn(identity));
                if (i == 0) {
                    Thread.sleep(5); // use times are milliseconds: the first is the least recently used, not a tie
                }
            }
            while (registry.live() - admission.held() < settings.maxLive()) {
                others.add(loggedIn(++identity));
            }
            opened.addAll(biggest);
            opened.addAll(others);

            Http http = new Http(deploymentUrl.toString());
            Http.Answer started = http.send(HttpRequest.newBuilder(http.uri("/create_session"))
                    .POST(HttpRequest.BodyPublishers.ofString("?OTRv3?")));
            assertEquals(200, started.status(), "a handshake is admitted at the cap: " + started.body());
            opened.add(SessionId.parse(started.header("OSMS-Session")));

            int live = registry.live();
            SessionId newcomer = loggedIn(++identity);
            opened.add(newcomer);
            assertEquals(true, registry.find(newcomer).isPresent(), "the login is in");
            assertEquals(live, registry.live(), "one conversation made room for it");
            assertEquals(settings.maxLive(), registry.live() - admission.held(), "the cap holds");
            assertEquals(true, registry.find(biggest.get(0)).isEmpty(),
                    "the biggest holder's least recently used conversation ended");
            for (SessionId id : biggest.subList(1, biggest.size())) {
                assertEquals(true, registry.find(id).isPresent(), "its other conversations did not");
            }
            for (SessionId id : others) {
                assertEquals(true, registry.find(id).isPresent(), "nor did anyone else's");
            }
        } finally {
            opened.forEach(registry::end);
        }
    }

    @Test
    void theScheduledSweeperEndsAnAbandonedHandshake() throws InterruptedException {
        int beans = Conversation.liveBeans();
        int handshakes = registry.handshakes();
        Instant opened = Instant.now();
        SessionId id = registry.open(null, Circuit.LOCAL, 0);
        assertEquals(handshakes + 1, registry.handshakes());
        // The sweeper runs every five seconds; polling the counts (find would count as use) until a deadline.
        Instant deadline = opened.plus(settings.handshakeTimeout()).plusSeconds(45);
        while (registry.handshakes() > handshakes && Instant.now().isBefore(deadline)) {
            Thread.sleep(250);
        }
        Duration took = Duration.between(opened, Instant.now());
        assertEquals(handshakes, registry.handshakes(), "the sweeper ended the handshake within " + took);
        assertEquals(true, took.compareTo(settings.handshakeTimeout()) >= 0,
                "not before the handshake timeout: " + took);
        assertEquals(beans, Conversation.liveBeans(), "its bean was destroyed");
        assertEquals(true, registry.find(id).isEmpty());
    }

    @Test
    void malformedHandshakeMessagesLeaveNoConversation() {
        Http http = new Http(deploymentUrl.toString());
        int live = registry.live();
        int beans = Conversation.liveBeans();
        for (String body : List.of("?OTR", "?OTRv", "?OTR:", "?OTR:%%%.", "hello", "?OTRv2?", "?OTR?", "?OTRv9?",
                " ", "\u0000\u0001", "?OTR:AAMD.", "?OTR Error: hi")) {
            Http.Answer a = http.send(HttpRequest.newBuilder(http.uri("/create_session"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
            assertEquals(400, a.status(), body);
            assertEquals(null, a.header("OSMS-Session"), body);
            assertEquals(live, registry.live(), "no conversation kept after " + body);
            assertEquals(beans, Conversation.liveBeans(), "no bean kept after " + body);
        }
    }
}
