/**
 * Limits and rules that law or policy may change (SPEC: "everything a law may change is configuration").
 * These are defaults; a deployment overrides them in the server config and the server publishes them in
 * `/api/v1/meta`, so the form and the server always apply the same numbers.
 */
export interface RepresentativeBand {
  /** Smallest group size the band applies to. */
  fromSize: number;
  /** Fewest representatives the group must appoint. */
  min: number;
  /** Most representatives the group may appoint. */
  max: number;
}

export interface RegistrationRules {
  /** Bands in ascending `fromSize`; a group uses the last band whose `fromSize` it reaches. */
  representatives: RepresentativeBand[];
  attachments: {
    maxCount: number;
    maxBytes: number;
    maxTotalBytes: number;
    /** Types checked on the server by content (magic bytes), not by name or declared type. */
    types: string[];
  };
}

/** SPEC §3: 5–10 people appoint 1–2 representatives; more than 10 may appoint more, at most 5. */
export const DEFAULT_RULES: RegistrationRules = {
  representatives: [
    { fromSize: 1, min: 0, max: 0 },
    { fromSize: 2, min: 0, max: 1 },
    { fromSize: 5, min: 1, max: 2 },
    { fromSize: 11, min: 1, max: 5 },
  ],
  attachments: {
    maxCount: 10,
    maxBytes: 10 * 1024 * 1024,
    maxTotalBytes: 30 * 1024 * 1024,
    types: ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'],
  },
};

export function representativeLimits(groupSize: number, rules: RegistrationRules = DEFAULT_RULES): { min: number; max: number } {
  let band: RepresentativeBand = { fromSize: 1, min: 0, max: 0 };
  for (const candidate of rules.representatives) if (groupSize >= candidate.fromSize) band = candidate;
  return { min: band.min, max: band.max };
}

/** Field lengths: generous for content, tight for names and numbers, so nobody stores a novel in a name. */
export const TEXT_LIMITS = {
  name: 200,
  short: 500,
  content: 20_000,
  idNumber: 40,
  email: 254,
  listItems: 20,
} as const;
