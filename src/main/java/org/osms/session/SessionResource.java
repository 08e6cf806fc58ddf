package org.osms.session;

import static org.osms.protocol.JsonDocuments.JSON;

import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrentAccessException;
import jakarta.ejb.NoSuchEJBException;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.osms.metrics.ServerMetrics;
import org.osms.otr.OtrConversation;
import org.osms.protocol.AdmissionPuzzle;
import org.osms.protocol.RegistrationPuzzle;
import org.osms.protocol.Username;
import org.osms.web.ApiException;

/**
 * The login conversation over HTTP: {@code POST /create_session} (the handshake), {@code POST /session} (commands),
 * {@code POST /terminate_session} (logout). Request bodies are one OTR message as text; answers are JSON documents
 * carrying the server's OTR messages.
 *
 * <p>One instance serves every request (it holds nothing of a request: each conversation's state is in its bean), so
 * no request pays for building and injecting a resource of its own.
 */
@Path("")
@ApplicationScoped
public class SessionResource {
    public static final String SESSION_HEADER = "OSMS-Session";
    public static final String USERNAME_HEADER = "OSMS-Username";

    @Inject
    ConversationRegistry registry;

    @Inject
    Admission admission;

    @Inject
    RegistrationWork registrationWork;

    @Inject
    ServerMetrics metrics;

    /** Runs woken long polls; the container's pool, so waiting requests never each take a thread. */
    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    ManagedExecutorService executor;

    /** The wake-ups {@link #executor} refused, logged once a minute at most ({@link LongPoll}). */
    private final LogThrottle refusedWakeUps = new LogThrottle(LongPoll.REFUSALS_LOGGED_EVERY);

    @POST
    @Path("create_session")
    @Produces(MediaType.APPLICATION_JSON)
    public Response createSession(@HeaderParam(SESSION_HEADER) String sessionHeader,
                                  @HeaderParam(USERNAME_HEADER) String usernameHeader,
                                  @HeaderParam(AdmissionPuzzle.PUZZLE_HEADER) String puzzle,
                                  @HeaderParam(AdmissionPuzzle.COUNTER_HEADER) String puzzleCounter,
                                  @HeaderParam(AdmissionPuzzle.EFFORT_HEADER) String puzzleEffort,
                                  @HeaderParam(Circuit.HEADER) String circuitHeader,
                                  InputStream body) {
        String message = read(body);
        SessionId id;
        boolean created = sessionHeader == null;
        if (created) {
            Username claimed = usernameHeader == null ? null : Username.of(usernameHeader);
            Circuit circuit = Circuit.of(circuitHeader);
            int extra = admission.check(Admission.Kind.of(claimed), circuit, puzzle, puzzleCounter, puzzleEffort);
            id = registry.open(claimed, circuit, extra);
            metrics.handshakeStarted();
        } else {
            id = SessionId.parse(sessionHeader);
        }
        ConversationRegistry.Entry entry = registry.find(id).orElseThrow(SessionException::unknownSession);
        long closings = registry.closings();
        Conversation.Step step = call(id, () -> entry.bean().handshake(message));
        if (step.refusal() != null) {
            metrics.handshakeFailed();
            // A refused login destroys the conversation; so does garbage as the very first message (nothing to keep).
            if (step.refusal().status() == 403 || created) {
                registry.end(id);
            }
            throw step.refusal();
        }
        JsonObjectBuilder answer = JSON.createObjectBuilder()
                .add("messages", messages(step))
                .add("encrypted", step.encrypted());
        if (step.encrypted()) {
            registry.markEncrypted(entry, step.identity());
            if (step.identity() != null && registry.closings() != closings) {
                ApiException refusal = call(id, () -> entry.bean().recheckLogin());
                if (refusal != null) { // its identity was closed, or its key replaced, while it logged in
                    metrics.handshakeFailed();
                    registry.end(id);
                    throw refusal;
                }
            }
            metrics.handshakeCompleted();
            admission.handshakeDone(id);
            // through call(): a disconnect sent meanwhile may have ended the conversation (404, not a 500)
            answer.add("challenge", Base64.getEncoder().encodeToString(call(id, () -> entry.bean().challenge())));
            if (call(id, () -> entry.bean().isRegistration())) {
                RegistrationPuzzle.Difficulty work = registrationWork.current();
                call(id, () -> {
                    entry.bean().announceRegistrationPuzzle(work);
                    return null;
                });
                answer.add("powAlgorithm", RegistrationPuzzle.ALGORITHM)
                        .add("powBits", work.bits())
                        .add("powMemoryKiB", work.memoryKiB())
                        .add("powIterations", work.iterations());
            }
        }
        return Response.ok(answer.build()).header(SESSION_HEADER, id.value()).build();
    }

    @POST
    @Path("session")
    @Produces(MediaType.APPLICATION_JSON)
    public void command(@HeaderParam(SESSION_HEADER) String sessionHeader, InputStream body,
                        @Suspended AsyncResponse async) {
        // Asynchronous so that a command may be answered later (a long-polling `fetch`): such a request holds no
        // thread and no lock on the conversation while it waits. Every other command is answered right here.
        try {
            String message = read(body);
            SessionId id = requireSession(sessionHeader);
            ConversationRegistry.Entry entry = registry.find(id).orElseThrow(SessionException::unknownSession);
            Conversation.Step step = call(id, () -> entry.bean().command(message));
            if (step.deferred() != null) {
                await(id, entry, step.deferred(), async);
                return;
            }
            async.resume(answer(id, entry, step));
        } catch (RuntimeException e) {
            async.resume(e);
        }
    }

    /**
     * The long poll: the deferred command runs again when its wakeup fires (on the managed executor, not the thread
     * that fired it) or when its time is up (on the container's timeout thread), whichever comes first, exactly once.
     */
    private void await(SessionId id, ConversationRegistry.Entry entry, Commands.Deferred deferred,
                       AsyncResponse async) {
        if (!entry.startAwaiting()) {
            // another command of this conversation already waits: this one is answered now, as if woken at once
            try {
                async.resume(answer(id, entry, call(id, () -> entry.bean().resume(deferred))));
            } catch (RuntimeException e) {
                async.resume(e);
            }
            return;
        }
        AtomicReference<Wakeup.Registration> registration = new AtomicReference<>();
        LongPoll poll = new LongPoll(executor, () -> {
            Wakeup.Registration r = registration.get();
            if (r != null) {
                r.cancel();
            }
            entry.stopAwaiting();
            try {
                async.resume(answer(id, entry, call(id, () -> entry.bean().resume(deferred))));
            } catch (RuntimeException e) {
                async.resume(e);
            }
        }, refusedWakeUps);
        async.setTimeoutHandler(poll::timedOut);
        async.setTimeout(deferred.maxWait().toMillis(), TimeUnit.MILLISECONDS);
        registration.set(deferred.wakeup().onWake(poll::woken));
        if (poll.started()) {
            registration.get().cancel(); // woken before the registration was stored
        }
    }

    /** The answer document of a command's step, once the registry has followed what the command changed. */
    private JsonObject answer(SessionId id, ConversationRegistry.Entry entry, Conversation.Step step) {
        if (step.ended()) {
            registry.end(id);
        }
        if (step.refusal() != null) {
            throw step.refusal();
        }
        if (step.identity() != null) {
            registry.actsFor(entry, step.identity());
            if (step.endOthers()) {
                // Authority follows keys: conversations proven with the old key, or of a closed identity, end now.
                registry.endOthersOf(step.identity(), id);
            }
            if (!step.ended() && admission.awaitsRegistration(id)) {
                admission.registered(id); // a registration conversation that registered is a login now
            }
        }
        return JSON.createObjectBuilder().add("messages", messages(step)).add("ended", step.ended()).build();
    }

    @POST
    @Path("terminate_session")
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject terminate(@HeaderParam(SESSION_HEADER) String sessionHeader, InputStream body) {
        String message = read(body);
        SessionId id = requireSession(sessionHeader);
        ConversationRegistry.Entry entry = registry.find(id).orElseThrow(SessionException::unknownSession);
        if (!call(id, () -> entry.bean().acceptsTermination(message))) {
            throw new ApiException(400, "not_a_disconnect",
                    "The body is not this conversation's OTR disconnect message; the conversation goes on.");
        }
        registry.end(id);
        return JSON.createObjectBuilder().add("ended", true).build();
    }

    /**
     * A bean the container already timed out (@StatefulTimeout) is an ended conversation, not a server error; a bean
     * still answering another request of the same conversation after its @AccessTimeout is busy (503), not broken.
     */
    private <T> T call(SessionId id, java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (NoSuchEJBException gone) {
            registry.end(id);
            throw SessionException.unknownSession();
        } catch (ConcurrentAccessException busy) {
            throw new SessionException.Busy("requests in this conversation");
        }
    }

    private static SessionId requireSession(String header) {
        if (header == null) {
            throw new ApiException(400, "missing_session", "The OSMS-Session header is required.");
        }
        return SessionId.parse(header);
    }

    private static JsonArrayBuilder messages(Conversation.Step step) {
        JsonArrayBuilder a = JSON.createArrayBuilder();
        step.messages().forEach(a::add);
        return a;
    }

    /** Reads at most one OTR message's worth of UTF-8 text; more is refused unread. */
    private static String read(InputStream body) {
        try {
            byte[] bytes = body == null ? new byte[0] : body.readNBytes(OtrConversation.MAX_MESSAGE_LENGTH + 1);
            if (bytes.length > OtrConversation.MAX_MESSAGE_LENGTH) {
                throw SessionException.tooLarge();
            }
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString().strip();
            if (text.isEmpty()) {
                throw SessionException.badOtr("The body must be one OTR message.");
            }
            return text;
        } catch (CharacterCodingException e) {
            throw SessionException.badOtr("The body is not UTF-8 text.");
        } catch (IOException e) {
            throw SessionException.badOtr("The body could not be read.");
        }
    }
}
