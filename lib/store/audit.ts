/**
 * Audit columns (`created_by`, `updated_by`, `created_at`, `updated_at`) from whoever acts: the principal's
 * subject, never a value from the request body. The database keeps `created_*` and moves `updated_at` on
 * every update anyway (the touch trigger); these give the values statements write.
 */
export interface Actor {
  /** The principal's subject (the JWT `sub`, or the development principal's). */
  subject: string;
}

export interface CreateAudit {
  created_by: string;
  updated_by: string;
  created_at: string;
  updated_at: string;
}

export interface UpdateAudit {
  updated_by: string;
  updated_at: string;
}

export const AUDIT_COLUMNS = ['created_by', 'updated_by', 'created_at', 'updated_at'] as const;

const MAX_ACTOR_LENGTH = 256;

/** The subject as stored: trimmed and bounded; an empty one is `anonymous`. */
export function actorName(actor: Actor): string {
  const name = actor.subject.trim().slice(0, MAX_ACTOR_LENGTH);
  return name || 'anonymous';
}

export function auditForCreate(actor: Actor, now: Date = new Date()): CreateAudit {
  const by = actorName(actor);
  const at = now.toISOString();
  return { created_by: by, updated_by: by, created_at: at, updated_at: at };
}

export function auditForUpdate(actor: Actor, now: Date = new Date()): UpdateAudit {
  return { updated_by: actorName(actor), updated_at: now.toISOString() };
}

/** The audit members of a stored row, for a resource's representation. */
export function auditOf(row: Record<string, unknown>): CreateAudit {
  return {
    created_by: String(row.created_by),
    updated_by: String(row.updated_by),
    created_at: String(row.created_at),
    updated_at: String(row.updated_at),
  };
}
