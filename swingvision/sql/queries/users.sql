-- Accounts. Every statement names its columns: records map by name.

-- name: users_insert
-- A new account. Its username and email keys were claimed in user_logins first: CrateDB has no
-- unique index, so that table's primary key keeps them unique.
INSERT INTO users (id, username, email, full_name, role, coach_id, password_hash, active,
                   created_at, updated_at, settings)
VALUES (:id, :username, :email, :full_name, :role, :coach_id, :password_hash, :active,
        :created_at, :updated_at, :settings)

-- name: users_get
-- One user by id: a real-time Get on CrateDB (login finds the id through user_logins, then
-- reads the user here, so a changed password or role counts at once).
SELECT id, username, email, full_name, role, coach_id, password_hash, active, created_at,
       updated_at, settings
FROM users WHERE id = :id

-- name: users_players_of_coach
-- Every player of a coach, by name: roster, coach scope, similarity scope.
-- SQLite uses users(coach_id).
SELECT id, username, email, full_name, role, coach_id, password_hash, active, created_at,
       updated_at, settings
FROM users WHERE coach_id = :coach_id AND role = 'player'
ORDER BY full_name, username
LIMIT 100000

-- name: users_by_role
-- A page of users with one role, by name (the coach list; every player for an admin's search).
SELECT id, username, email, full_name, role, coach_id, password_hash, active, created_at,
       updated_at, settings
FROM users WHERE role = :role
ORDER BY full_name, username
LIMIT :limit OFFSET :offset

-- name: users_all
-- A page of every user, by role and name (admins only, checked by the manager).
SELECT id, username, email, full_name, role, coach_id, password_hash, active, created_at,
       updated_at, settings
FROM users
ORDER BY role, full_name, username
LIMIT :limit OFFSET :offset

-- name: users_count
-- How many users exist (Users.count).
SELECT count(*) FROM users

-- name: users_update
-- Rewrite a user's profile and settings by id (not the password); changed username or email
-- keys were claimed in user_logins first.
UPDATE users SET username = :username, email = :email, full_name = :full_name, role = :role,
                 coach_id = :coach_id, active = :active, settings = :settings,
                 updated_at = :updated_at
WHERE id = :id

-- name: users_set_password
-- Store a new password hash; the caller then ends the user's sessions.
UPDATE users SET password_hash = :password_hash, updated_at = :updated_at WHERE id = :id

-- name: users_delete
-- Delete one user row by id. Not used by the app: an admin deactivates accounts (active).
DELETE FROM users WHERE id = :id

-- name: user_logins_claim
-- Claim a login key (username:<x> or email:<x>, lower-case) for a user; a taken key raises
-- Conflict. The key is the primary key: the uniqueness CrateDB cannot give users.username.
INSERT INTO user_logins (login, user_id) VALUES (:login, :user_id)

-- name: user_logins_release
-- Give up a claim only while this user still holds it: atomic in SQLite. CrateDB replaces it
-- with a delete at the version read first (crate/guarded.sql).
DELETE FROM user_logins WHERE login = :login AND user_id = :user_id

-- name: user_logins_owner
-- The user holding a login key (a primary-key read, real-time on CrateDB): how login finds
-- the account, and who holds a key a claim found taken.
SELECT user_id FROM user_logins WHERE login = :login

-- name: users_set_settings_if_unchanged
-- Write a user's settings only while they are as users_settings_version read them (a coach's
-- settings form against another tab's save at the same moment): SQLite compares the stored
-- text (one statement is atomic); CrateDB's twin writes at the version read
-- (crate/guarded.sql). 0 rows: someone saved them since.
UPDATE users SET settings = :settings, updated_at = :updated_at
WHERE id = :id AND settings = :v_settings
