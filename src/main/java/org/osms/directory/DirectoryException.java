package org.osms.directory;

import org.osms.web.ApiException;

/** Rejections of directory changes and lookups, each with its own status code and error code. */
public final class DirectoryException {
    private DirectoryException() {
    }

    public static final class UnknownUser extends ApiException {
        private static final long serialVersionUID = 1L;

        public UnknownUser() {
            super(404, "unknown_user", "No identity holds this username.");
        }
    }

    public static final class DeletedUser extends ApiException {
        private static final long serialVersionUID = 1L;

        public DeletedUser() {
            super(410, "deleted_user", "This account was deleted; its name stays reserved and its history public.");
        }
    }

    /** The owner made {@link DirectorySettings#changesPerDay} changes to the identity in the last 24 hours. */
    public static final class TooManyChanges extends ApiException {
        private static final long serialVersionUID = 1L;

        public TooManyChanges(int perDay) {
            super(429, "rate_limited", "This identity was changed " + perDay
                    + " times in the last 24 hours, the most allowed; try again later.");
        }
    }

    /** Someone else holds, or held, the name or key. */
    public abstract static class Conflict extends ApiException {
        private static final long serialVersionUID = 1L;

        Conflict(String code, String message) {
            super(409, code, message);
        }
    }

    public static final class UsernameTaken extends Conflict {
        private static final long serialVersionUID = 1L;

        public UsernameTaken() {
            super("username_taken", "This username is, or was, used by another identity.");
        }
    }

    public static final class KeyInUse extends Conflict {
        private static final long serialVersionUID = 1L;

        public KeyInUse() {
            super("key_in_use", "This public key is, or was, registered to another identity.");
        }
    }

    public static final class IdentityClosed extends ApiException {
        private static final long serialVersionUID = 1L;

        public IdentityClosed(IdentityStatus status) {
            super(409, "identity_" + status.wireName(), "This identity is " + status.wireName()
                    + " and cannot change any more.");
        }
    }

    public static final class NoChange extends ApiException {
        private static final long serialVersionUID = 1L;

        public NoChange(String what) {
            super(409, "no_change", what);
        }
    }
}
