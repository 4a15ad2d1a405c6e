/**
 * Helpers for the schedule tests: valid session bodies, officials' requests, sessions opened for booking, and
 * registrations to book with (their references and phones).
 */
import { postJson, submitJson, token, uuidv7, validRegistration, UNIT, type TestServer } from './helpers.js';

export const PHONE = '0912 345 678';

export function sessionInput(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    kind: 'periodic',
    host: { role: 'chair', name: 'Chủ tịch UBND phường Sa Đéc' },
    level: 'commune',
    unit: UNIT,
    venue: 'Trụ sở UBND phường Sa Đéc, 1 Hùng Vương',
    connectionPoints: ['sadec-ubnd'],
    startsAt: '2030-03-15T08:00:00+07:00',
    endsAt: '2030-03-15T11:00:00+07:00',
    capacity: 20,
    remoteAllowed: false,
    ...overrides,
  };
}

export async function official(t: TestServer, role: 'chair' | 'clerk' | 'official' | 'operator' | 'observer' = 'clerk', unit = UNIT) {
  const bearer = await token(t, role, unit);
  const send = (method: string, path: string, body?: unknown) =>
    fetch(`${t.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    bearer,
    post: (path: string, body: unknown = {}) => send('POST', path, body),
    patch: (path: string, body: unknown) => send('PATCH', path, body),
    get: (path: string) => send('GET', path),
  };
}

/** A published ("open") session; returns its id. */
export async function openSession(t: TestServer, overrides: Record<string, unknown> = {}): Promise<string> {
  const clerk = await official(t, 'clerk');
  const created = await clerk.post('/sessions', sessionInput(overrides));
  const body = (await created.json()) as { session: { id: string } };
  if (created.status !== 201) throw new Error(`create session: ${created.status} ${JSON.stringify(body)}`);
  const published = await clerk.post(`/sessions/${body.session.id}/publish`);
  if (published.status !== 200) throw new Error(`publish: ${published.status} ${await published.text()}`);
  return body.session.id;
}

/** Stores `count` registrations (a few at a time) and returns their references. */
export async function registrations(t: TestServer, count: number, overrides: Record<string, unknown> = {}): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, count - i) }, async () => {
        const res = await submitJson(t.api, validRegistration(overrides), uuidv7());
        const body = (await res.json()) as { reference: string };
        if (res.status !== 201) throw new Error(`submit: ${res.status} ${JSON.stringify(body)}`);
        return body.reference;
      }),
    );
    out.push(...batch);
  }
  return out;
}

export function book(t: TestServer, reference: string, sessionId: string, phone = PHONE, path = '/bookings'): Promise<Response> {
  return postJson(`${t.api}${path}`, { reference, phone, sessionId });
}

export type ErrorShape = { error: { code: string; message: { vi: string; en: string }; fields?: { path: string; code: string; message: { vi: string; en: string } }[] } };
