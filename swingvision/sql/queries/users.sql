-- Accounts. Every statement names its columns: records map by name.

-- name: users_insert
INSERT INTO users (id, username, email, full_name, role, coach_id, password_hash, active,
                   created_at, updated_at, settings)
VALUES (:id, :username, :email, :full_name, :role, :coach_id, :password_hash, :active,
        :created_at, :updated_at, :settings)

-- name: users_get
SELECT id, username, email, full_name, role, coach_id, password_hash, active, created_at,
       updated_at, settings
FROM users WHERE id = :id

-- name: users_players_of_coach
SELECT id, username, email, full_name, role, coach_id, password_hash, active, created_at,
       updated_at, settings
FROM users WHERE coach_id = :coach_id AND role = 'player'
ORDER BY full_name, username
LIMIT 100000

-- name: users_by_role
SELECT id, username, email, full_name, role, coach_id, password_hash, active, created_at,
       updated_at, settings
FROM users WHERE role = :role
ORDER BY full_name, username
LIMIT :limit OFFSET :offset

-- name: users_all
SELECT id, username, email, full_name, role, coach_id, password_hash, active, created_at,
       updated_at, settings
FROM users
ORDER BY role, full_name, username
LIMIT :limit OFFSET :offset

-- name: users_count
SELECT count(*) FROM users

-- name: users_update
UPDATE users SET username = :username, email = :email, full_name = :full_name, role = :role,
                 coach_id = :coach_id, active = :active, settings = :settings,
                 updated_at = :updated_at
WHERE id = :id

-- name: users_set_password
UPDATE users SET password_hash = :password_hash, updated_at = :updated_at WHERE id = :id

-- name: users_delete
DELETE FROM users WHERE id = :id

-- name: user_logins_claim
INSERT INTO user_logins (login, user_id) VALUES (:login, :user_id)

-- name: user_logins_release
DELETE FROM user_logins WHERE login = :login AND user_id = :user_id

-- name: user_logins_owner
SELECT user_id FROM user_logins WHERE login = :login
