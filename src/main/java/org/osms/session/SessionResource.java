package org.osms.session;

import jakarta.ejb.NoSuchEJBException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.osms.otr.OtrConversation;
import org.osms.protocol.AdmissionPuzzle;
import org.osms.protocol.RegistrationPuzzle;
import org.osms.protocol.Username;
import org.osms.web.ApiException;

/**
 * The login conversation over HTTP: {@code POST /create_session} (the handshake), {@code POST /session} (commands),
 * {@code POST /terminate_session} (logout). Request bodies are one OTR message as text; answers are JSON documents
 * carrying the server's OTR messages.
 */
@Path("")
@RequestScoped
public class SessionResource {
    public static final String SESSION_HEADER = "OSMS-Session";
    public static final String USERNAME_HEADER = "OSMS-Username";

    @Inject
    ConversationRegistry registry;

    @Inject
    Admission admission;

    @Inject
    RegistrationWork registrationWork;

    @POST
    @Path("create_session")
    @Produces(MediaType.APPLICATION_JSON)
    public Response createSession(@HeaderParam(SESSION_HEADER) String sessionHeader,
                                  @HeaderParam(USERNAME_HEADER) String usernameHeader,
                                  @HeaderParam(AdmissionPuzzle.PUZZLE_HEADER) String puzzle,
                                  @HeaderParam(AdmissionPuzzle.COUNTER_HEADER) String puzzleCounter,
                                  InputStream body) {
        String message = read(body);
        SessionId id;
        boolean created = sessionHeader == null;
        if (created) {
            Username claimed = usernameHeader == null ? null : Username.of(usernameHeader);
            admission.check(Admission.Kind.of(claimed), puzzle, puzzleCounter);
            id = registry.open(claimed);
        } else {
            id = new SessionId(sessionHeader);
        }
        ConversationRegistry.Entry entry = registry.find(id).orElseThrow(SessionException::unknownSession);
        Conversation.Step step = call(id, () -> entry.bean().handshake(message));
        if (step.refusal() != null) {
            // A refused login destroys the conversation; so does garbage as the very first message (nothing to keep).
            if (step.refusal().status() == 403 || created) {
                registry.end(id);
            }
            throw step.refusal();
        }
        JsonObjectBuilder answer = Json.createObjectBuilder()
                .add("messages", messages(step))
                .add("encrypted", step.encrypted());
        if (step.encrypted()) {
            registry.markEncrypted(entry, step.identity());
            admission.handshakeDone(id);
            answer.add("challenge", Base64.getEncoder().encodeToString(entry.bean().challenge()));
            if (entry.bean().isRegistration()) {
                RegistrationPuzzle.Difficulty work = registrationWork.current();
                entry.bean().announceRegistrationPuzzle(work);
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
    public JsonObject command(@HeaderParam(SESSION_HEADER) String sessionHeader, InputStream body) {
        String message = read(body);
        SessionId id = requireSession(sessionHeader);
        ConversationRegistry.Entry entry = registry.find(id).orElseThrow(SessionException::unknownSession);
        Conversation.Step step = call(id, () -> entry.bean().command(message));
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
        return Json.createObjectBuilder().add("messages", messages(step)).add("ended", step.ended()).build();
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
        return Json.createObjectBuilder().add("ended", true).build();
    }

    /** A bean the container already timed out (@StatefulTimeout) is an ended conversation, not a server error. */
    private <T> T call(SessionId id, java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (NoSuchEJBException gone) {
            registry.end(id);
            throw SessionException.unknownSession();
        }
    }

    private static SessionId requireSession(String header) {
        if (header == null) {
            throw new ApiException(400, "missing_session", "The OSMS-Session header is required.");
        }
        return new SessionId(header);
    }

    private static JsonArrayBuilder messages(Conversation.Step step) {
        JsonArrayBuilder a = Json.createArrayBuilder();
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
