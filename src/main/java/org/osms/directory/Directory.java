package org.osms.directory;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityNotFoundException;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.osms.audit.AuditLog;
import org.osms.persistence.CommitPoint;
import org.osms.persistence.TransientFailures;
import org.osms.protocol.AuditEvent;
import org.osms.protocol.Fingerprint;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;
import org.osms.web.ApiException;

/**
 * The directory's use cases. Each change to an identity appends its audit entry in the same transaction: either both
 * are stored or neither is.
 *
 * <p>An enterprise bean with container-managed transactions (each change {@code REQUIRED}) rather than a CDI bean
 * with {@code @Transactional}: a refusal ({@link DirectoryException}, an application exception that rolls back) then
 * leaves the transaction as an expected outcome. Through Liberty's {@code @Transactional} interceptor every refusal
 * was recorded as an FFDC incident, which an operator reads as a defect.
 */
@Stateless
public class Directory {
    /** 2^53 - 1, the largest integer a JSON number carries exactly in JavaScript (Number.MAX_SAFE_INTEGER). */
    public static final long MAX_IDENTITY_ID = (1L << 53) - 1;


    @PersistenceContext(unitName = "osms")
    EntityManager em;

    @Inject
    AuditLog audit;

    @Inject
    Event<IdentityRegistered> registered;

    @Inject
    Clock clock;

    @Inject
    SecureRandom random;

    @Inject
    DirectorySettings settings;

    /** The changes an owner's commands make, limited to {@link DirectorySettings#changesPerDay} in 24 hours. */
    private static final List<AuditEvent> LIMITED =
            List.of(AuditEvent.RENAMED, AuditEvent.KEY_REPLACED, AuditEvent.KEY_PUBLISHED, AuditEvent.KEY_UNPUBLISHED);
    private static final long DAY_MILLIS = 24L * 60 * 60 * 1000;

    /**
     * Creates an identity with its first name and key, and, through {@link IdentityRegistered}, whatever else every
     * identity has from the start (its mailbox), in the same transaction, which ends at {@code commitPoint}.
     */
    public Identity register(Username username, OtrPublicKey key, CommitPoint commitPoint) {
        long now = clock.millis();
        Optional<DirectoryException.Conflict> conflict = conflictOfRegistration(em, username, key);
        if (conflict.isPresent()) {
            throw conflict.get();
        }
        long id = newIdentityId();
        // The claims come first: the identity row references them (schema: identity_*_claimed).
        claim(new UsernameClaim(username.value(), id, now), DirectoryException.UsernameTaken::new);
        claim(new KeyClaim(key.fingerprint().hex(), id, now), DirectoryException.KeyInUse::new);
        Identity identity = new Identity(id, username, key, now);
        em.persist(identity);
        em.flush();
        registered.fire(new IdentityRegistered(id));
        audit.append(AuditEvent.REGISTERED, id, AuditLog.Values.NONE, values(identity));
        commitPoint.reach();
        return identity;
    }

    /**
     * Why a registration of this name and key would be refused, if its name or key is claimed already: asked before
     * the registration puzzle's answer is checked, since that check costs the server an Argon2id evaluation, and a
     * right answer for a name that is not free would otherwise buy any number of them. Reads only (and returns the
     * refusal rather than throwing it, which would mark the container's local transaction for rollback);
     * {@link #register} checks again in its transaction.
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public Optional<DirectoryException.Conflict> conflictOfRegistration(Username username, OtrPublicKey key) {
        return conflictOfRegistration(em, username, key);
    }

    private static Optional<DirectoryException.Conflict> conflictOfRegistration(EntityManager em, Username username,
                                                                                 OtrPublicKey key) {
        if (em.find(UsernameClaim.class, username.value()) != null) {
            return Optional.of(new DirectoryException.UsernameTaken());
        }
        if (em.find(KeyClaim.class, key.fingerprint().hex()) != null) {
            return Optional.of(new DirectoryException.KeyInUse());
        }
        return Optional.empty();
    }

    /** The identity that holds this name now, whatever its status. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Optional<Identity> findByUsername(Username username) {
        return em.createNamedQuery(Identity.BY_USERNAME, Identity.class)
                .setParameter("u", username.value())
                .getResultStream().findFirst();
    }

    /**
     * The identity that holds this name now, read-only and outside any transaction, for a check that only reads it
     * (a login's; the public lookup reads through {@link PublicDirectory}). The result must not be changed.
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public Optional<Identity> lookUp(Username username) {
        return holderOf(em, username);
    }

    /** The identity that holds this name now, read-only, in the caller's persistence context. */
    public static Optional<Identity> holderOf(EntityManager em, Username username) {
        return em.createNamedQuery(Identity.READ_BY_USERNAME, Identity.class)
                .setParameter("u", username.value())
                .getResultStream().findFirst();
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Optional<Identity> find(long identityId) {
        return Optional.ofNullable(em.find(Identity.class, identityId));
    }

    /**
     * The identity as committed now, read again from the database rather than from the caller's transaction, in
     * which it was read before: for a command that read it without a lock, to tell whether it changed meanwhile.
     */
    @TransactionAttribute(TransactionAttributeType.MANDATORY)
    public Optional<Identity> readAgain(long identityId) {
        Identity identity = em.find(Identity.class, identityId);
        if (identity == null) {
            return Optional.empty();
        }
        try {
            em.refresh(identity);
        } catch (EntityNotFoundException deleted) {
            return Optional.empty();
        }
        return Optional.of(identity);
    }

    /**
     * The identity, its row locked until the caller's transaction ends: the check of a conversation's authority and
     * the command it guards see one state, which no concurrent change can alter in between.
     */
    @TransactionAttribute(TransactionAttributeType.MANDATORY)
    public Optional<Identity> lockForCommand(long identityId) {
        return Optional.ofNullable(em.find(Identity.class, identityId, LockModeType.PESSIMISTIC_WRITE));
    }

    /** Any time, to any free name or to one of the identity's own earlier names (which stay reserved to it). */
    public Identity rename(long identityId, Username newName) {
        Identity identity = lock(identityId);
        requireAllowance(identityId);
        if (identity.username().equals(newName)) {
            throw new DirectoryException.NoChange("The identity already has this username.");
        }
        UsernameClaim claim = em.find(UsernameClaim.class, newName.value());
        if (claim != null && claim.identityId() != identityId) {
            throw new DirectoryException.UsernameTaken();
        }
        long now = clock.millis();
        AuditLog.Values before = values(identity);
        if (claim == null) {
            claim(new UsernameClaim(newName.value(), identityId, now), DirectoryException.UsernameTaken::new);
        }
        identity.rename(newName, now);
        em.flush();
        audit.append(AuditEvent.RENAMED, identityId, before, values(identity));
        return identity;
    }

    /**
     * Why a key replacement by this key would be refused before anything of the key but its fingerprint is known: the
     * identity has used its changes of the day, or the key is the identity's key already, or another identity's, now
     * or before. Read without a lock or transaction: asked before the new key's costly checks, so that such a
     * replacement costs the server no primality test. {@link #replaceKey} checks again under the identity's lock.
     * Returned rather than thrown, which would mark the container's local transaction.
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public Optional<ApiException> refusalOfNewKey(long identityId, Fingerprint newKey) {
        Identity identity = em.find(Identity.class, identityId);
        if (identity == null) {
            return Optional.empty();
        }
        if (!hasAllowance(identityId)) {
            return Optional.of(new DirectoryException.TooManyChanges(settings.changesPerDay()));
        }
        return refusalOfNewKey(em, identity, newKey);
    }

    private static Optional<ApiException> refusalOfNewKey(EntityManager em, Identity identity, Fingerprint newKey) {
        if (identity.fingerprint().filter(newKey::equals).isPresent()) {
            return Optional.of(new DirectoryException.NoChange("This is already the identity's key."));
        }
        KeyClaim claim = em.find(KeyClaim.class, newKey.hex());
        if (claim != null && claim.identityId() != identity.id()) {
            return Optional.of(new DirectoryException.KeyInUse());
        }
        return Optional.empty();
    }

    /** The new key replaces the old one as the identity's only key and login credential. */
    public Identity replaceKey(long identityId, OtrPublicKey newKey) {
        Identity identity = lock(identityId);
        requireAllowance(identityId);
        Optional<ApiException> refusal = refusalOfNewKey(em, identity, newKey.fingerprint());
        if (refusal.isPresent()) {
            throw refusal.get();
        }
        KeyClaim claim = em.find(KeyClaim.class, newKey.fingerprint().hex());
        long now = clock.millis();
        AuditLog.Values before = values(identity);
        if (claim == null) {
            claim(new KeyClaim(newKey.fingerprint().hex(), identityId, now), DirectoryException.KeyInUse::new);
        }
        identity.replaceKey(newKey, now);
        em.flush();
        audit.append(AuditEvent.KEY_REPLACED, identityId, before, values(identity));
        return identity;
    }

    public Identity unpublishKey(long identityId) {
        return changeStatus(identityId, IdentityStatus.UNPUBLISHED, AuditEvent.KEY_UNPUBLISHED,
                "The key is already unpublished.");
    }

    public Identity publishKey(long identityId) {
        return changeStatus(identityId, IdentityStatus.ACTIVE, AuditEvent.KEY_PUBLISHED,
                "The key is already published.");
    }

    /**
     * Refuses an owner's change once the identity had {@link DirectorySettings#changesPerDay} of them in the last 24
     * hours, counted in its audit entries (so a restart forgets nothing). The caller holds the identity's row lock,
     * so two changes at once cannot both pass on the same count.
     */
    private void requireAllowance(long identityId) {
        if (!hasAllowance(identityId)) {
            throw new DirectoryException.TooManyChanges(settings.changesPerDay());
        }
    }

    private boolean hasAllowance(long identityId) {
        return audit.countOfIdentitySince(identityId, clock.millis() - DAY_MILLIS, LIMITED) < settings.changesPerDay();
    }

    /** Final: the identity can no longer log in; its name stays reserved and its history public. */
    public Identity revokeKey(long identityId) {
        return changeStatus(identityId, IdentityStatus.REVOKED, AuditEvent.KEY_REVOKED, "");
    }

    /** Final: the key is erased; the name stays reserved and the history, which records the deletion, public. */
    public Identity delete(long identityId) {
        return changeStatus(identityId, IdentityStatus.DELETED, AuditEvent.DELETED, "");
    }

    /**
     * An administrator's suspension of the identity holding {@code username}: it can no longer log in or receive
     * messages, its name and key stay as they are, and the audit log records it. Refused for an unknown name
     * ({@code unknown_user}), a revoked or deleted identity ({@code identity_revoked}, {@code identity_deleted}) and
     * one already suspended ({@code no_change}).
     */
    public Identity suspend(Username username) {
        Identity identity = lockHolder(username);
        AuditLog.Values before = values(identity);
        identity.suspend(clock.millis());
        em.flush();
        audit.append(AuditEvent.SUSPENDED, identity.id(), before, values(identity));
        return identity;
    }

    /** Ends a suspension: the identity returns to the status it had. {@code no_change} when it is not suspended. */
    public Identity reinstate(Username username) {
        Identity identity = lockHolder(username);
        AuditLog.Values before = values(identity);
        identity.reinstate(clock.millis());
        em.flush();
        audit.append(AuditEvent.REINSTATED, identity.id(), before, values(identity));
        return identity;
    }

    /** How many identities have each status now: one grouped count, nothing read into memory. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public java.util.Map<IdentityStatus, Long> countByStatus() {
        java.util.Map<IdentityStatus, Long> counts = new java.util.EnumMap<>(IdentityStatus.class);
        for (IdentityStatus s : IdentityStatus.values()) {
            counts.put(s, 0L);
        }
        em.createQuery("SELECT i.status, COUNT(i) FROM Identity i GROUP BY i.status", Object[].class)
                .getResultList()
                .forEach(row -> counts.put((IdentityStatus) row[0], ((Number) row[1]).longValue()));
        return counts;
    }

    private Identity lockHolder(Username username) {
        Identity holder = findByUsername(username).orElseThrow(DirectoryException.UnknownUser::new);
        return lock(holder.id());
    }

    private Identity changeStatus(long identityId, IdentityStatus next, AuditEvent event, String alreadyMessage) {
        Identity identity = lock(identityId);
        if (LIMITED.contains(event)) { // publishing and unpublishing; not revoking, deleting or an administrator's
            requireAllowance(identityId);
        }
        if (identity.status() == next) {
            throw new DirectoryException.NoChange(alreadyMessage);
        }
        AuditLog.Values before = values(identity);
        identity.changeStatus(next, clock.millis());
        em.flush();
        audit.append(event, identityId, before, values(identity));
        return identity;
    }

    /**
     * Stores a permanent claim. The checks above find claims that already exist; a concurrent transaction that claims
     * the same name or key first makes this insert violate the primary key, which is the same answer. A transient
     * failure (a lock on the other transaction's claim waited for too long) is not that answer: it goes on as it is.
     */
    private void claim(Object claim, Supplier<DirectoryException.Conflict> taken) {
        try {
            em.persist(claim);
            em.flush();
        } catch (PersistenceException e) {
            if (TransientFailures.isTransient(e)) {
                throw e; // waited too long for another transaction's claim, or lost the connection: not taken (busy)
            }
            throw taken.get();
        }
    }

    private Identity lock(long identityId) {
        Identity identity = em.find(Identity.class, identityId, LockModeType.PESSIMISTIC_WRITE);
        if (identity == null) {
            throw new DirectoryException.UnknownUser();
        }
        return identity;
    }

    private long newIdentityId() {
        // Random rather than sequential ids: they leak nothing, and the claims can reference them before the
        // identity row exists. A collision (about 2^-53 per existing identity) is retried.
        while (true) {
            long id = newIdentityId(random);
            if (em.find(Identity.class, id) == null) {
                return id;
            }
        }
    }

    /**
     * A candidate id, uniform in [1, 2^53 - 1]: within the integers a JSON number carries exactly in JavaScript
     * (docs/protocol.md, "Conventions"), so a client that parses JSON into doubles recomputes audit hashes right.
     */
    static long newIdentityId(SecureRandom random) {
        while (true) {
            long id = random.nextLong() & MAX_IDENTITY_ID;
            if (id != 0) {
                return id;
            }
        }
    }

    private static AuditLog.Values values(Identity identity) {
        IdentityState s = identity.state();
        return new AuditLog.Values(s.username(), s.fingerprint(), s.publicKey());
    }
}
