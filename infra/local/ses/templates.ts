import Handlebars from 'handlebars';
import * as z from '#shared/zod.ts';
import { alreadyExists, badRequest, notFound, parseRequest, type Route } from './http.ts';

/**
 * Email templates, held by the front (the emulator drops its own on `/clear-store`; they
 * are mirrored to it only so that its page shows them). Rendering follows SES: Handlebars
 * with its built-in helpers only (`{{#each}}`, `{{#if}}`, nested paths) and, as the SES
 * developer guide says, no HTML escaping of template data, not even in the HTML part
 * ("SES doesn't escape HTML content when rendering the HTML template for a message").
 */

export interface TemplateContent {
  Subject?: string;
  Html?: string;
  Text?: string;
}

interface StoredTemplate {
  name: string;
  content: TemplateContent;
  createdAt: Date;
}

export interface RenderedContent {
  subject: string;
  html?: string;
  text?: string;
}

const handlebars = Handlebars.create();

const TemplateContentSchema = z.object({
  Subject: z.optional(z.string()),
  Html: z.optional(z.string()),
  Text: z.optional(z.string()),
});
const CreateEmailTemplateRequest = z.object({
  TemplateName: z.string().check(z.minLength(1)),
  TemplateContent: TemplateContentSchema,
});
const UpdateEmailTemplateRequest = z.object({ TemplateContent: TemplateContentSchema });
const TestRenderEmailTemplateRequest = z.object({ TemplateData: z.string() });

export class EmailTemplates {
  readonly #templates = new Map<string, StoredTemplate>();
  readonly #mirror: (method: string, path: string, body?: unknown) => void;

  constructor(mirror: (method: string, path: string, body?: unknown) => void) {
    this.#mirror = mirror;
  }

  /** The content a send refers to: stored by name or ARN, or inline. */
  resolve(reference: { TemplateName?: string; TemplateArn?: string; TemplateContent?: TemplateContent }) {
    const name = reference.TemplateName ?? nameFromArn(reference.TemplateArn);
    if (name !== undefined) return this.#get(name).content;
    if (reference.TemplateContent) return reference.TemplateContent;
    throw badRequest('Template content must have a TemplateName, a TemplateArn or a TemplateContent.');
  }

  /** Re-sends every template to the emulator (after its store was cleared). */
  mirrorAll(): void {
    for (const template of this.#templates.values()) {
      this.#mirror('POST', '/v2/email/templates', {
        TemplateName: template.name,
        TemplateContent: template.content,
      });
    }
  }

  routes(): Route[] {
    return [
      { method: 'POST', path: /^\/v2\/email\/templates$/, handle: ({ body }) => this.#create(body) },
      { method: 'GET', path: /^\/v2\/email\/templates$/, handle: ({ query }) => this.#list(query) },
      {
        method: 'GET',
        path: /^\/v2\/email\/templates\/([^/]+)$/,
        handle: ({ params }) => {
          const template = this.#get(params[0]);
          return { TemplateName: template.name, TemplateContent: template.content };
        },
      },
      {
        method: 'PUT',
        path: /^\/v2\/email\/templates\/([^/]+)$/,
        handle: ({ params, body }) => this.#update(params[0], body),
      },
      {
        method: 'DELETE',
        path: /^\/v2\/email\/templates\/([^/]+)$/,
        handle: ({ params }) => {
          this.#get(params[0]);
          this.#templates.delete(params[0]);
          this.#mirror('DELETE', `/v2/email/templates/${encodeURIComponent(params[0])}`);
          return {};
        },
      },
      {
        method: 'POST',
        path: /^\/v2\/email\/templates\/([^/]+)\/render$/,
        handle: ({ params, body }) => this.#testRender(params[0], body),
      },
    ];
  }

  #get(name: string): StoredTemplate {
    const template = this.#templates.get(name);
    if (!template) throw notFound(`Template ${name} does not exist.`);
    return template;
  }

  #create(body: unknown) {
    const request = parseRequest(CreateEmailTemplateRequest, body);
    if (this.#templates.has(request.TemplateName)) {
      throw alreadyExists(`Template ${request.TemplateName} already exists.`);
    }
    compileTemplate(request.TemplateContent);
    this.#templates.set(request.TemplateName, {
      name: request.TemplateName,
      content: request.TemplateContent,
      createdAt: new Date(),
    });
    this.#mirror('POST', '/v2/email/templates', request);
    return {};
  }

  #update(name: string, body: unknown) {
    const template = this.#get(name);
    const request = parseRequest(UpdateEmailTemplateRequest, body);
    compileTemplate(request.TemplateContent);
    template.content = request.TemplateContent;
    this.#mirror('PUT', `/v2/email/templates/${encodeURIComponent(name)}`, request);
    return {};
  }

  #list(query: URLSearchParams) {
    const pageSize = Number(query.get('PageSize') ?? '10');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
      throw badRequest('PageSize must be between 1 and 100.');
    }
    const all = [...this.#templates.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    const start = query.has('NextToken') ? Number(Buffer.from(query.get('NextToken')!, 'base64url')) : 0;
    if (!Number.isInteger(start) || start < 0) throw badRequest('Invalid NextToken.');
    const page = all.slice(start, start + pageSize);
    const next =
      start + pageSize < all.length ? Buffer.from(String(start + pageSize)).toString('base64url') : undefined;
    return {
      TemplatesMetadata: page.map((template) => ({
        TemplateName: template.name,
        CreatedTimestamp: template.createdAt.getTime() / 1000,
      })),
      ...(next ? { NextToken: next } : {}),
    };
  }

  #testRender(name: string, body: unknown) {
    const request = parseRequest(TestRenderEmailTemplateRequest, body);
    const rendered = compileTemplate(this.#get(name).content)(parseTemplateData(request.TemplateData));
    const boundary = `----=_Part_${crypto.randomUUID()}`;
    const parts = [
      ...(rendered.text === undefined ? [] : [['text/plain', rendered.text]]),
      ...(rendered.html === undefined ? [] : [['text/html', rendered.html]]),
    ];
    const mime = [
      `Subject: ${rendered.subject}`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/alternative; boundary="${boundary}"`,
      '',
      ...parts.flatMap(([type, data]) => [
        `--${boundary}`,
        `Content-Type: ${type}; charset=UTF-8`,
        'Content-Transfer-Encoding: 7bit',
        '',
        data,
      ]),
      `--${boundary}--`,
    ].join('\r\n');
    return { RenderedTemplate: mime };
  }
}

/** Compiles once; the renderer is then applied to each recipient's data. */
export function compileTemplate(
  content: TemplateContent,
): (data: Record<string, unknown>) => RenderedContent {
  if (!content.Subject) throw badRequest('The template must have a subject.');
  if (!content.Html && !content.Text) throw badRequest('The template must have an HTML or a text part.');
  const compile = (source: string | undefined) => {
    if (source === undefined) return undefined;
    try {
      // parse first: compile() is lazy and would only fail at the first send
      return handlebars.compile(handlebars.parse(source), { noEscape: true });
    } catch (error) {
      throw badRequest(`The template could not be parsed: ${(error as Error).message}`);
    }
  };
  const subject = compile(content.Subject)!;
  const html = compile(content.Html);
  const text = compile(content.Text);
  return (data) => ({ subject: subject(data), html: html?.(data), text: text?.(data) });
}

/** Template data is a JSON object in a string; anything else is SES's BadRequestException. */
export function parseTemplateData(json: string | undefined, field = 'TemplateData'): Record<string, unknown> {
  if (json === undefined || json === '') return {};
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw badRequest(`${field} is not valid JSON.`);
  }
  if (!isObject(data)) throw badRequest(`${field} must be a JSON object.`);
  return data;
}

/**
 * An entry's ReplacementTemplateData over DefaultContent's TemplateData, key by key
 * through nested objects (arrays and values of the replacement win whole).
 */
export function mergeTemplateData(
  defaults: Record<string, unknown>,
  replacement: Record<string, unknown>,
): Record<string, unknown> {
  const merged = { ...defaults };
  for (const [key, value] of Object.entries(replacement)) {
    const current = merged[key];
    merged[key] = isObject(current) && isObject(value) ? mergeTemplateData(current, value) : value;
  }
  return merged;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// arn:aws:ses:<region>:<account>:template/<name>
function nameFromArn(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const match = /^arn:aws[a-z-]*:ses:[^:]*:\d*:template\/(.+)$/.exec(arn);
  if (!match) throw badRequest(`Invalid template ARN: ${arn}`);
  return match[1];
}
