/** A job-level problem (bad arguments, unusable folders): reported to the user, never a crash. */
export class JobError extends Error {}
