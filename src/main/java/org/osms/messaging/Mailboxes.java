package org.osms.messaging;

import static org.osms.protocol.JsonDocuments.JSON;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.JsonObjectBuilder;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.LongToIntFunction;
import java.util.logging.Logger;
import org.osms.directory.Directory;
import org.osms.directory.Identity;
import org.osms.directory.IdentityRegistered;
import org.osms.persistence.TransientFailures;
import org.osms.protocol.Fingerprint;
import org.osms.protocol.OtrEnvelope;
import org.osms.protocol.Username;
import org.osms.web.ApiException;

/**
 * The mailbox use cases. They run inside the command's transaction, which has locked the caller's identity and
 * checked its authority (docs/protocol.md, "Authority"): a message is stored, read or deleted under the key that is
 * the caller's current key, or not at all. A mailbox's own row is locked by every change to it, so its limits hold
 * under concurrent sends and its counters always match its messages.
 *
 * <p>No transaction interceptor on the use cases: they always run in the command's (container-managed) transaction,
 * and their refusals are expected outcomes that must cross no interceptor that would record them as failures.
 */
@ApplicationScoped
public class Mailboxes {
    private static final Logger LOG = Logger.getLogger(Mailboxes.class.getName());

    /** EclipseLink's QueryHints.READ_ONLY, by name: the application compiles against the Jakarta API only. */
    static final String READ_ONLY = "eclipselink.read-only";

    @PersistenceContext(unitName = "osms")
    EntityManager em;

    @Inject
    Directory directory;

    @Inject
    MailboxExpiry expiry;

    @Inject
    MailboxNotifier notifier;

    @Inject
    MessagingSettings settings;

    @Inject
    Clock clock;

    private final SendRate rate = new SendRate();

    /** Creates this bean in the web module's naming context (see {@link MessagingStartup}). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public void warm() {
        // nothing: being called is the point
    }

    /** One sender may hold at most this fraction (1/n) of a mailbox's message and byte limits. */
    static final int SENDER_SHARE_DIVISOR = 4;

    /** The sender as its login proved it: never a field the client fills in. */
    public record Sender(long identityId, Username username, Fingerprint provenKey) {
    }

    /** Stores one OTR message for {@code to}; answered only once committed. */
    public void send(Sender from, Username to, String body) {
        // the cheap checks first, so that a refused body costs the server no more than its length: the size, then
        // the sender's rate (every send command counts, refused or not: the limit bounds attempts), then the envelope
        MessagingSettings.Limits limits = settings.limits();
        if (body.length() > limits.maxBodyBytes()) {
            throw new ApiException(413, "body_too_large",
                    "The message is longer than " + limits.maxBodyBytes() + " bytes.");
        }
        if (!rate.tryAcquire(from.identityId(), clock.millis(), limits.sendsPerMinute())) {
            throw new ApiException(429, "rate_limited",
                    "More than " + limits.sendsPerMinute() + " messages in a minute; wait a little.");
        }
        OtrEnvelope.kindOf(body);
        if (to.equals(from.username())) {
            throw new ApiException(400, "bad_command", "A message cannot be sent to oneself.");
        }
        Optional<Identity> unlessBlocked = em.createNamedQuery(Block.RECIPIENT_UNLESS_BLOCKED, Identity.class)
                .setParameter("u", to.value()).setParameter("sender", from.identityId())
                .getResultStream().findFirst();
        Optional<Identity> blocking = unlessBlocked.isEmpty() ? receiver(to) : Optional.empty();
        Identity recipient = unlessBlocked.or(() -> blocking).filter(r -> r.status().mayLogIn())
                .orElseThrow(Mailboxes::noSuchRecipient);
        Mailbox mailbox = lockedMailbox(recipient.id());
        // read again under the lock, which block takes too: a block answered before this send took it is seen here
        boolean blocked = blocking.isPresent()
                || em.find(Block.class, new Block.Key(recipient.id(), from.identityId())) != null;
        if (mailbox.messageCount() >= limits.maxMessages() || mailbox.byteCount() + body.length() > limits.maxBytes()) {
            throw new ApiException(507, "mailbox_full",
                    "The recipient's mailbox is full; try again once they have read their messages.");
        }
        if (blocked) {
            return; // the recipient blocks the sender: answered as a delivery would be, stored nowhere
        }
        if (beyondSendersShare(mailbox, recipient.id(), from.identityId(), body.length(), limits)) {
            throw new ApiException(507, "mailbox_full", "The recipient's mailbox holds as much of your mail as it "
                    + "takes from one sender; try again once they have read their messages.");
        }
        long seq = mailbox.add(body.length());
        // the time read under the mailbox's lock, as the seq is: ids and arrival times of one mailbox agree in order
        em.persist(new StoredMessage(recipient.id(), seq, from.identityId(), from.username().value(),
                from.provenKey().hex(), clock.millis(), body));
        em.flush();
        notifier.arrivesOnCommit(recipient.id());
    }

    /**
     * Whether this message would give its sender more than {@link #SENDER_SHARE_DIVISOR its share} of the mailbox's
     * message or byte limit: no one sender can fill a mailbox and shut every other sender out until its owner reads
     * it. Only a mailbox already past the share for everyone together is counted (one query, under the mailbox's
     * lock); below that no sender can be past it.
     */
    private boolean beyondSendersShare(Mailbox mailbox, long recipient, long sender, int length,
                                       MessagingSettings.Limits limits) {
        long maxMessages = Math.max(1, limits.maxMessages() / SENDER_SHARE_DIVISOR);
        long maxBytes = Math.max(1, limits.maxBytes() / SENDER_SHARE_DIVISOR);
        if (mailbox.messageCount() < maxMessages && mailbox.byteCount() + length <= maxBytes) {
            return false;
        }
        Object[] mine = em.createNamedQuery("StoredMessage.fromSender", Object[].class)
                .setParameter("r", recipient).setParameter("s", sender).getSingleResult();
        long messages = ((Number) mine[0]).longValue();
        long bytes = mine[1] == null ? 0 : ((Number) mine[1]).longValue();
        return messages >= maxMessages || bytes + length > maxBytes;
    }

    /**
     * The identity that holds this name, if it may receive messages: asked only when the recipient query found nobody
     * for this sender, to tell a block (answered as a delivery would be) from a name nobody can receive at.
     */
    private Optional<Identity> receiver(Username to) {
        return Directory.holderOf(em, to).filter(r -> r.status().mayLogIn());
    }

    /**
     * The one answer for a name nobody holds and an identity that can no longer log in. A sender the recipient
     * blocks never gets it: its sends are answered as delivered, since the directory shows anyone that the recipient
     * can receive, and a refusal would tell the sender it is blocked.
     */
    private static ApiException noSuchRecipient() {
        return new ApiException(404, "no_such_recipient", "No user of this name can receive messages.");
    }

    /**
     * Gives every new identity its mailbox, in the transaction that registers it ({@link IdentityRegistered}). A
     * mailbox made later, by the first message, would need a transaction of its own (two first messages racing to
     * one recipient must not fail each other's), and so a second connection while the send holds its first: under
     * load, with every pooled connection held by a waiting command, that second connection would never come.
     * Identities registered before this existed were given theirs by migration V4.
     */
    void open(@Observes IdentityRegistered registered) {
        em.persist(new Mailbox(registered.identityId()));
        em.flush();
    }

    /** The mailbox row, locked until the transaction ends. */
    private Mailbox lockedMailbox(long identityId) {
        Mailbox m = em.find(Mailbox.class, identityId, LockModeType.PESSIMISTIC_WRITE);
        if (m == null) {
            // Every identity gets its mailbox when it is registered; this one's row is missing from the database.
            throw new IllegalStateException("No mailbox row for an existing identity");
        }
        return m;
    }

    /**
     * Waiting messages as a reply shows them: the first of those numbered after {@code after}, oldest first, at most
     * {@code limit}, and no more than fit into {@code room} characters of the reply ({@link FetchPage#fitting}; at
     * least one if {@code atLeastOne}). {@code nextAfter} is where the next page starts when more are waiting (its
     * last message's number; {@code after} itself when none fitted), null when none are.
     */
    public record Window(List<StoredMessage> messages, Long nextAfter) {
    }

    /**
     * The {@link Window} of waiting messages after {@code after}. The choice is made from the stored lengths, and only
     * the chosen messages' bodies are read: a request holds about one reply's worth of bodies, never a page of the
     * longest (100 of 44,000 characters, for a command of a hundred). Read-only (messages are never changed once
     * stored): EclipseLink neither copies them into the unit of work nor watches them. A message acknowledged by
     * another conversation between the two reads is not shown, as if it had been before the first.
     */
    public Window waiting(long identityId, long after, int limit, long room, boolean atLeastOne) {
        List<FetchPage.Size> sizes = em.createNamedQuery("StoredMessage.sizes", Object[].class)
                .setParameter("r", identityId).setParameter("after", after).setMaxResults(limit + 1)
                .getResultList().stream().map(r -> new FetchPage.Size((Long) r[0], ((String) r[1]).length(),
                        ((Number) r[2]).longValue())).toList();
        int n = FetchPage.fitting(sizes, limit, room, atLeastOne);
        Long nextAfter = sizes.size() <= n ? null : n == 0 ? after : sizes.get(n - 1).seq();
        if (n == 0) {
            return new Window(List.of(), nextAfter);
        }
        List<StoredMessage> chosen = em.createNamedQuery("StoredMessage.through", StoredMessage.class)
                .setParameter("r", identityId).setParameter("after", after).setParameter("last", sizes.get(n - 1).seq())
                .setHint(READ_ONLY, true).getResultList();
        return new Window(chosen, nextAfter);
    }

    /** Deletes the caller's messages with these numbers for good; returns how many there were. */
    public int ack(long identityId, List<Long> seqs) {
        Mailbox mailbox = em.find(Mailbox.class, identityId, LockModeType.PESSIMISTIC_WRITE);
        if (mailbox == null) {
            return 0;
        }
        // an id given twice, or not waiting, counts nothing more: an ack of a page is one statement to count and one
        // to delete, whatever its length
        int deleted = MailboxDeletion.delete(mailbox, em.createNamedQuery("StoredMessage.acknowledged", Object[].class)
                        .setParameter("r", identityId).setParameter("seqs", seqs),
                em.createNamedQuery("StoredMessage.deleteAcknowledged")
                        .setParameter("r", identityId).setParameter("seqs", seqs), "ack");
        if (deleted > 0) {
            em.flush();
        }
        return deleted;
    }

    /** The identity blocked, and how many of its messages waiting for the blocker were discarded. */
    public record Blocked(Identity identity, int discarded) {
    }

    /**
     * Refuses {@code who}'s messages from now on (the sender is not told), and discards those of its messages still
     * waiting: a block is how an owner takes back a mailbox that a sender, or a few, filled. The mailbox's lock orders
     * the block with every send to it: a send that stored a message before is discarded here, and one after finds
     * the block.
     */
    public Blocked block(long identityId, Username who) {
        Identity target = directory.findByUsername(who).orElseThrow(Mailboxes::unknownUser);
        if (target.id() == identityId) {
            throw new ApiException(400, "bad_command", "An identity cannot block itself.");
        }
        Mailbox mailbox = lockedMailbox(identityId);
        if (em.find(Block.class, new Block.Key(identityId, target.id())) != null) {
            throw new ApiException(409, "no_change", "This user is already blocked.");
        }
        em.persist(new Block(identityId, target.id(), clock.millis()));
        int discarded = MailboxDeletion.delete(mailbox, em.createNamedQuery("StoredMessage.fromSender", Object[].class)
                        .setParameter("r", identityId).setParameter("s", target.id()),
                em.createNamedQuery("StoredMessage.deleteFromSender")
                        .setParameter("r", identityId).setParameter("s", target.id()), "block");
        em.flush();
        return new Blocked(target, discarded);
    }

    public Identity unblock(long identityId, Username who) {
        Identity target = directory.findByUsername(who).orElseThrow(Mailboxes::unknownUser);
        Block b = em.find(Block.class, new Block.Key(identityId, target.id()));
        if (b == null) {
            throw new ApiException(409, "no_change", "This user is not blocked.");
        }
        em.remove(b);
        em.flush();
        return target;
    }

    private static ApiException unknownUser() {
        return new ApiException(404, "unknown_user", "No identity holds this username.");
    }

    /**
     * The caller's block list, oldest first, read a page at a time: each entry its {@code identityId} and
     * {@code blockedAt}, and with {@code names} the blocked identity's current {@code username} (one statement per
     * page, not one per entry).
     */
    TimeOrderedPage.Source blocks(long ownerId, boolean names) {
        return TimeOrderedPage.of(em, "SELECT b.blockedId, b.blockedAt" + (names ? ", i.username FROM Block b "
                + "LEFT JOIN Identity i ON i.id = b.blockedId" : " FROM Block b") + " WHERE b.ownerId = :o",
                "b.blockedAt", "ORDER BY b.blockedAt, b.blockedId", q -> q.setParameter("o", ownerId), r -> {
                    JsonObjectBuilder o = JSON.createObjectBuilder().add("identityId", (Long) r[0])
                            .add("blockedAt", (Long) r[1]);
                    if (names && r[2] != null) {
                        o.add("username", (String) r[2]);
                    }
                    return new TimeOrderedPage.Entry((Long) r[1], o.build());
                });
    }

    /** What the mailbox holds now: its row (every identity has one from its registration). */
    public Optional<Mailbox> mailbox(long identityId) {
        return Optional.ofNullable(em.find(Mailbox.class, identityId));
    }

    /** How many messages wait in all mailboxes (an administrator's figure): one count, nothing read into memory. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public long waitingCount() {
        return em.createQuery("SELECT COUNT(m) FROM StoredMessage m", Long.class).getSingleResult();
    }

    /** When the oldest waiting message arrived, if any waits (the retention index answers it). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<Long> oldestWaitingReceivedAt() {
        return Optional.ofNullable(em.createQuery("SELECT MIN(m.receivedAt) FROM StoredMessage m", Long.class)
                .getSingleResult());
    }

    /** Sends the identity made in the last minute. */
    public int sendsLastMinute(long identityId) {
        return rate.used(identityId, clock.millis());
    }

    /**
     * Deletes every message received before {@code cutoff} (retention), one mailbox at a time, each in its own
     * transaction so a sweep never holds many mailboxes locked; returns how many were deleted.
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public int expire(long cutoff) {
        rate.forgetIdle(clock.millis());
        List<Long> mailboxes = em.createQuery(
                        "SELECT DISTINCT m.recipientId FROM StoredMessage m WHERE m.receivedAt < :cutoff", Long.class)
                .setParameter("cutoff", cutoff).getResultList();
        return expireEach(mailboxes, id -> expiry.expire(id, cutoff));
    }

    /**
     * Runs the expiry of each mailbox in turn. One that fails (its lock held past the lock timeout, say) is left for
     * the next sweep and logged by its failure's kind only; the mailboxes after it are still swept, so no one mailbox
     * can keep everyone else's old messages past their retention. Returns how many messages were deleted.
     */
    static int expireEach(List<Long> mailboxes, LongToIntFunction expire) {
        int deleted = 0;
        int failed = 0;
        RuntimeException first = null;
        for (long id : mailboxes) {
            try {
                deleted += expire.applyAsInt(id);
            } catch (RuntimeException e) {
                failed++;
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            LOG.warning(failed + " of " + mailboxes.size() + " mailboxes could not be swept now (the first: "
                    + first.getClass().getName() + ", " + TransientFailures.describe(first)
                    + "); the next sweep tries them again.");
        }
        return deleted;
    }
}
