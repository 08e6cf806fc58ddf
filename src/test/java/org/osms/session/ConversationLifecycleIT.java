package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.inject.Inject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osms.it.Deployments;
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

    @Test
    void endingAConversationDestroysItsBean() {
        int before = Conversation.liveBeans();
        SessionId id = registry.open(null);
        assertEquals(before + 1, Conversation.liveBeans());
        registry.end(id);
        assertEquals(before, Conversation.liveBeans(), "@Remove destroyed the bean");
        assertEquals(true, registry.find(id).isEmpty());
    }

    @Test
    void idleConversationsExpireAndTheirBeansAreDestroyed() {
        int before = Conversation.liveBeans();
        SessionId id = registry.open(null);
        assertEquals(0, registry.expireIdle(clock.instant()), "not idle yet");
        int expired = registry.expireIdle(clock.instant().plus(settings.handshakeTimeout()).plusSeconds(1));
        assertEquals(true, expired >= 1);
        assertEquals(true, registry.find(id).isEmpty());
        assertEquals(before, Conversation.liveBeans());
    }

    @Test
    void anEncryptedConversationLivesUntilItsIdleTimeout() {
        SessionId id = registry.open(Username.of("someone"));
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

    @Test
    void theLiveConversationCapAnswers503() {
        List<SessionId> opened = new ArrayList<>();
        try {
            // logged-in conversations count against the live cap; unfinished handshakes do not (see AdmissionIT)
            Username someone = Username.of("someone");
            while (registry.live() - admission.held() < settings.maxLive()) {
                SessionId id = registry.open(someone);
                opened.add(id);
                registry.markEncrypted(registry.find(id).orElseThrow());
                admission.handshakeDone(id);
            }
            SessionException.Busy busy = assertThrows(SessionException.Busy.class, () -> registry.open(null));
            assertEquals(503, busy.status());
        } finally {
            opened.forEach(registry::end);
        }
    }
}
