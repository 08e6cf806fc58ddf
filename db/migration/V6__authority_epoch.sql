-- OSMS schema, version 6. Runs as the database owner on H2 and PostgreSQL alike (see V1).
--
-- A counter of the changes that end an identity's conversations and can be undone: a key replacement and a
-- suspension (revoked and deleted are final, and refused by the status alone). A conversation remembers it when it
-- logs in, and may act only while it is unchanged
-- (org.osms.session.Authority). A server ends its own conversations of the identity when such a change goes through
-- it; the counter is how a server sharing the database with it sees the change, even one undone since (a
-- suspension lifted, a key replaced and then replaced back), whose key and status alone would look as before.
ALTER TABLE identity ADD COLUMN authority_epoch BIGINT DEFAULT 0 NOT NULL;
