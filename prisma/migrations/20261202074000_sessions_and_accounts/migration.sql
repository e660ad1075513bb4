-- Sessions, sign-in throttling and account lifecycle (issue 9 §1 Users, §2 Hardening). Written by hand.

-- An account made or reset by an administrator carries a temporary password, which works for one
-- thing only: choosing a new one. The administrator never knows the password that opens casework.
ALTER TABLE "users" ADD COLUMN "must_change_password" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "users" ADD COLUMN "password_changed_at" TIMESTAMPTZ(3);

-- One row per sign-in. The session cookie only names its row (and carries the absolute expiry it was
-- issued with); every request that reads the signed-in user checks the row, so ending a session here
-- ends it at once, and a copied cookie is worth nothing after sign-out, a password change, a role
-- change or disabling the account.
CREATE TABLE "user_sessions" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- Absolute: never moved, whatever the activity.
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "end_reason" TEXT,
    -- Refused sign-ins for this account since its previous successful one, shown to its holder.
    "failed_sign_ins_before" INTEGER NOT NULL DEFAULT 0,
    "last_failed_sign_in_at" TIMESTAMPTZ(3),
    "notice_dismissed_at" TIMESTAMPTZ(3),

    CONSTRAINT "user_sessions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "user_sessions_end_complete" CHECK (("ended_at" IS NULL) = ("end_reason" IS NULL)),
    CONSTRAINT "user_sessions_expiry_after_start" CHECK ("expires_at" > "created_at")
);

CREATE INDEX "user_sessions_user_id_idx" ON "user_sessions"("user_id");
CREATE INDEX "user_sessions_expires_at_idx" ON "user_sessions"("expires_at");

ALTER TABLE "user_sessions" ADD CONSTRAINT "user_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Sign-in attempts per bucket (an account, a client address, or the pair) in a window that starts at
-- the bucket's first attempt. Counted with one conditional upsert before any password is checked, so
-- concurrent attempts cannot all slip under the limit.
CREATE TABLE "sign_in_throttles" (
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "window_started_at" TIMESTAMPTZ(3) NOT NULL,
    "attempts" INTEGER NOT NULL,

    CONSTRAINT "sign_in_throttles_pkey" PRIMARY KEY ("kind", "key"),
    CONSTRAINT "sign_in_throttles_attempts_non_negative" CHECK ("attempts" >= 0)
);

CREATE INDEX "sign_in_throttles_window_started_at_idx" ON "sign_in_throttles"("window_started_at");
