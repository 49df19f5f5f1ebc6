// urql clients as a frontend builds them, one per logged-in demo account: the bearer token
// over HTTP (urql sends short queries as GET, mutations as POST) and the same token in
// graphql-ws's connection_init for subscriptions at /graphql/ws.

import {
  Client,
  fetchExchange,
  type Exchange,
  subscriptionExchange,
  type AnyVariables,
  type CombinedError,
  type OperationResult,
  type TypedDocumentNode,
} from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';

import { graphql } from './gql/index.js';
import { DEMO, jiedao, type DemoAccount } from './jiedao.js';

export const LogIn = graphql(`
  mutation LogIn($input: LoginInput!) {
    login(input: $input) {
      accessToken
      expiresAt
    }
  }
`);

/** A logged-in demo account: `client` for queries, mutations and subscriptions. */
export interface Session {
  username: string;
  accessToken: string;
  client: Client;
  /** The graphql-ws connection under `client`'s subscriptions. */
  ws: WsClient;
}

const sessions: Session[] = [];

/** Logs in as a demo account. */
export async function logIn(account: DemoAccount): Promise<Session> {
  const base = await jiedao();
  const [username, password] = DEMO[account];
  const anonymous = await httpClient({ base });
  const result = await anonymous.mutation(LogIn, { input: { username, password } });
  const { accessToken } = data(result, `login as ${username}`).login;
  const ws = createWsClient({
    url: `${base.replace(/^http/, 'ws')}/graphql/ws`,
    webSocketImpl: WebSocket,
    connectionParams: { accessToken },
  });
  // No cacheExchange: every read goes to the server, so a case sees what a mutation changed.
  const client = new Client({
    url: `${base}/graphql`,
    fetchOptions: { headers: { authorization: `Bearer ${accessToken}` } },
    exchanges: [
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              return { unsubscribe: ws.subscribe(input, sink) };
            },
          };
        },
      }),
    ],
  });
  const session = { username, accessToken, client, ws };
  sessions.push(session);
  return session;
}

/** How a case's own HTTP client differs from a session's. */
export interface HttpClientOptions {
  /** Another jiedao process than the shared one. */
  base?: string;
  /** Sent as `Authorization: Bearer …`; none: anonymous. */
  accessToken?: string;
  headers?: Record<string, string>;
  /** Exchanges before `fetchExchange` (persisted queries). */
  exchanges?: Exchange[];
  /** What sends the requests, to watch them on the wire. */
  fetch?: typeof fetch;
}

/** A client over HTTP only (queries and mutations), without a cache, built as a case needs. */
export async function httpClient(options: HttpClientOptions = {}): Promise<Client> {
  const base = options.base ?? (await jiedao());
  const headers: Record<string, string> = { ...options.headers };
  if (options.accessToken) headers['authorization'] = `Bearer ${options.accessToken}`;
  return new Client({
    url: `${base}/graphql`,
    fetchOptions: { headers },
    exchanges: [...(options.exchanges ?? []), fetchExchange],
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** Closes every session's WebSocket (the process would otherwise stay up). */
export async function closeSessions(): Promise<void> {
  await Promise.all(sessions.splice(0).map((s) => s.ws.dispose()));
}

function describe(error: CombinedError): string {
  const codes = error.graphQLErrors.map((e) => `${String(e.extensions['code'])}: ${e.message}`);
  return codes.length ? codes.join('; ') : error.message;
}

/** The data of a result that must have succeeded; the error says what failed and its codes. */
export function data<D>(result: OperationResult<D>, what: string): D {
  if (result.error) throw new Error(`${what}: ${describe(result.error)}`);
  if (!result.data) throw new Error(`${what}: no data and no error`);
  return result.data;
}

/** The `extensions.code` of each GraphQL error of a result. */
export function errorCodes(result: OperationResult<unknown>): string[] {
  return result.error?.graphQLErrors.map((e) => String(e.extensions['code'])) ?? [];
}

/** A running subscription: its results in arrival order. */
export class Events<D, V extends AnyVariables = AnyVariables> {
  private readonly results: OperationResult<D>[] = [];
  private wake: (() => void) | undefined;
  private readonly stop: () => void;

  constructor(session: Session, query: TypedDocumentNode<D, V>, variables: V) {
    const { unsubscribe } = session.client.subscription<D, V>(query, variables).subscribe((result) => {
      this.results.push(result);
      this.wake?.();
    });
    this.stop = unsubscribe;
  }

  /** The next event's data; fails on an error result or after `timeoutMs`. */
  async next(what: string, timeoutMs = 10_000): Promise<D> {
    const deadline = Date.now() + timeoutMs;
    while (this.results.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what}: no event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return data(this.results.shift() as OperationResult<D>, what);
  }

  unsubscribe(): void {
    this.stop();
  }
}
