/**
 * Wires the outbox to the API for registrations: what the form uses, and what a developer composing without
 * our UI would use to get the same "never lost, never twice" submission.
 */
import type { ApiClient } from '../api/client.js';
import type { SubmitResponse } from '../api/types.js';
import type { Registration } from '../registration/schema.js';
import type { LocalDatabase } from './database.js';
import { Outbox, type OutboxOptions } from './outbox.js';

export type RegistrationOutbox = Outbox<Registration, SubmitResponse>;

export function createRegistrationOutbox(db: LocalDatabase, api: ApiClient, options?: OutboxOptions): RegistrationOutbox {
  return new Outbox<Registration, SubmitResponse>(
    db,
    (record, onProgress) =>
      api.submitRegistration(
        record.clientId,
        record.payload,
        new Map(record.files.map((file) => [file.id, new File([file.blob], file.name, { type: file.blob.type })])),
        { onProgress },
      ),
    options,
  );
}
