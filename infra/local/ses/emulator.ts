import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer } from 'node:net';
import type { Email as StoredEmail } from 'aws-ses-v2-local/dist/store.js';
import { JsonLines } from '../jsonl.ts';
import type { SesEvent } from './events.ts';

/**
 * The npm package `aws-ses-v2-local`, run in-process on an internal port behind the SES
 * front. It keeps the sent mail (its web page and `/store`); the front hands it one
 * already-rendered `SendEmail` per message, then replaces the emulator's 9-digit message id
 * (which collides) with the SES-style id the client got, in the store itself.
 */

interface EmulatorModule {
  default: (config: { host: string; port: number }) => Promise<Server>;
}
interface EmulatorStore {
  getStoreReadonly: () => { emails: StoredEmail[] };
}

// createRequire: the package is CommonJS; require gives the same module instance (and so
// the same store) as the server uses, under Node and under vitest alike.
const require = createRequire(import.meta.url);
const emulator = require('aws-ses-v2-local') as EmulatorModule;
const emulatorStore = require('aws-ses-v2-local/dist/store.js') as EmulatorStore;
const emulatorEml = require('aws-ses-v2-local/dist/emlFile.js') as {
  createEmlContent: (email: StoredEmail) => Promise<{ messageId: string; fileName: string; body: Buffer }>;
};

export type { StoredEmail };

export interface SimpleMail {
  from: string;
  replyTo: string[];
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  html?: string;
  text?: string;
  headers: { Name: string; Value: string }[];
  attachments?: unknown[];
}

export interface Emulator {
  url: string;
  /** Stores one rendered mail under `messageId` (in memory; `keep` writes it to the store file). */
  store(mail: SimpleMail, messageId: string): Promise<StoredEmail>;
  /** Stores a raw MIME mail (base64) under `messageId`; returns what the emulator parsed. */
  storeRaw(rawBase64: string, destination: unknown, messageId: string): Promise<StoredEmail>;
  /**
   * Writes a stored mail to the store file with the events SES is to publish for it, in one line:
   * a kill after it leaves the mail and its events together, never the mail alone.
   */
  keep(email: StoredEmail, events: SesEvent[]): void;
  /** After the bus has journalled the events of these mails: they need not be handed over again. */
  handedOver(messageIds: string[]): void;
  /** The events of kept mails that a kill stopped before the bus journalled them, oldest first. */
  unhandedEvents(): { messageId: string; events: SesEvent[] }[];
  /** After `/clear-store`: the kept copy is emptied too. */
  cleared(): void;
  stop(): Promise<void>;
}

/**
 * A line of the store file: a mail with the events to hand over for it, or the mark that they were.
 * A plain stored mail is a line written before mails kept their events.
 */
type KeptLine = { mail: StoredEmail; events: SesEvent[] } | { handedOver: string[] } | StoredEmail;

// The emulator only checks that some AWS Authorization header is present.
const INTERNAL_AUTH = 'AWS4-HMAC-SHA256 Credential=local/ses-front';

/**
 * `storeFile`: where the sent mail is kept (JSON lines, one per stored mail), so that a restart of
 * the local cloud does not erase the evidence of what was sent; it is loaded back into the store at
 * start. Without it the mail lives in memory only.
 */
export async function startEmulator(options: { storeFile?: string } = {}): Promise<Emulator> {
  const kept = options.storeFile ? new JsonLines<KeptLine>(options.storeFile) : undefined;
  let unhanded = kept ? restore(kept.read()) : [];
  const { server, url } = await listenOnFreePort();

  async function post(body: unknown): Promise<string> {
    const response = await fetch(`${url}/v2/email/outbound-emails`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: INTERNAL_AUTH },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`aws-ses-v2-local refused a mail (${response.status}): ${text}`);
    return (JSON.parse(text) as { MessageId: string }).MessageId;
  }

  function adopt(emulatorId: string, messageId: string): StoredEmail {
    const emails = emulatorStore.getStoreReadonly().emails;
    for (let i = emails.length - 1; i >= 0; i--) {
      if (emails[i].messageId === emulatorId) {
        emails[i].messageId = messageId;
        return emails[i];
      }
    }
    throw new Error(`aws-ses-v2-local did not store mail ${emulatorId}`);
  }

  return {
    url,
    async store(mail, messageId) {
      const emulatorId = await post({
        FromEmailAddress: mail.from,
        ReplyToAddresses: mail.replyTo,
        Destination: { ToAddresses: mail.to, CcAddresses: mail.cc, BccAddresses: mail.bcc },
        Content: {
          Simple: {
            Subject: { Data: mail.subject },
            Body: {
              ...(mail.html === undefined ? {} : { Html: { Data: mail.html } }),
              ...(mail.text === undefined ? {} : { Text: { Data: mail.text } }),
            },
            ...(mail.headers.length > 0 ? { Headers: mail.headers } : {}),
            ...(mail.attachments ? { Attachments: mail.attachments } : {}),
          },
        },
      });
      return adopt(emulatorId, messageId);
    },
    async storeRaw(rawBase64, destination, messageId) {
      const emulatorId = await post({ Destination: destination, Content: { Raw: { Data: rawBase64 } } });
      return adopt(emulatorId, messageId);
    },
    // Written before SES answers: a mail the client was told about is on disk, with its events.
    keep: (mail, events) => kept?.append([{ mail, events }]),
    handedOver: (messageIds) => {
      if (messageIds.length > 0) kept?.append([{ handedOver: messageIds }]);
    },
    unhandedEvents: () => {
      const found = unhanded;
      unhanded = [];
      return found;
    },
    cleared: () => kept?.rewrite([]),
    async stop() {
      await close(server);
      kept?.close();
    },
  };
}

/** Every mail the front accepted that the store holds (the kept mail of earlier runs included). */
export function acceptedMails(): StoredEmail[] {
  return acceptedOnly({ emails: emulatorStore.getStoreReadonly().emails }).emails;
}

/** A mail the front accepted, by the message id SES gave it. */
export function sentMail(messageId: string): StoredEmail | undefined {
  return emulatorStore.getStoreReadonly().emails.find((email) => email.messageId === messageId);
}

/**
 * A mail the front accepted as the emulator's viewer downloads it (`GET /get-emlContent?messageId=`):
 * the whole message as MIME, with its attachments. The store holds an attachment's content as base64,
 * which the emulator hands its MIME writer as text to encode, so a downloaded `.ics` read as base64;
 * here the writer is told the content is base64, and the attachment reads as it was sent.
 */
export async function emlOf(messageId: string) {
  const email = sentMail(messageId);
  if (!email) return undefined;
  const attachments = email.attachments.map((attachment) => ({ ...attachment, encoding: 'base64' }));
  return emulatorEml.createEmlContent({ ...email, attachments });
}

/**
 * Puts kept mail back into the emulator's store (mail already there, by id, is not doubled), and
 * returns the events of the kept mails whose hand-over was never marked.
 */
function restore(lines: KeptLine[]): { messageId: string; events: SesEvent[] }[] {
  const store = emulatorStore.getStoreReadonly().emails;
  const known = new Set(store.map((email) => email.messageId));
  const handedOver = new Set(lines.flatMap((line) => ('handedOver' in line ? line.handedOver : [])));
  const unhanded: { messageId: string; events: SesEvent[] }[] = [];
  for (const line of lines) {
    if ('handedOver' in line) continue;
    const email = 'mail' in line ? line.mail : line;
    if (!known.has(email.messageId)) store.push(email);
    known.add(email.messageId);
    if ('mail' in line && line.events.length > 0 && !handedOver.has(email.messageId)) {
      unhanded.push({ messageId: email.messageId, events: line.events });
    }
  }
  return unhanded;
}

/**
 * The emulator's `server()` resolves even when its port is taken, so the port is chosen
 * here, and the answer is checked: listening, on that port, answering its health check.
 */
async function listenOnFreePort(): Promise<{ server: Server; url: string }> {
  let lastProblem = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const server = await emulator.default({ host: '127.0.0.1', port });
    const address = server.address() as AddressInfo | null;
    const url = `http://127.0.0.1:${port}`;
    if (server.listening && address?.port === port && (await healthy(url))) return { server, url };
    lastProblem = `port ${port} did not answer`;
    await close(server).catch(() => undefined);
  }
  throw new Error(`aws-ses-v2-local could not be started: ${lastProblem}`);
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health-check`)).status === 200;
  } catch {
    return false;
  }
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/**
 * The store as it should be read: without the mails the front has not accepted yet. The emulator
 * stores a mail under its own id (`ses-123456789`) before the front gives it its SES id, writes it to
 * the data folder and hands over its events; a mail read in between would be counted under two ids,
 * or counted though a kill right then loses it, as SES loses a mail it never accepted.
 */
export function acceptedOnly<T extends { emails?: { messageId: string }[] }>(store: T): T {
  return store.emails
    ? { ...store, emails: store.emails.filter((email) => !/^ses-\d+$/.test(email.messageId)) }
    : store;
}
