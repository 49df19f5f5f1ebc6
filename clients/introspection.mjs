// The introspection queries client tools send: graphql-js's getIntrospectionQuery() with
// its defaults (GraphQL Code Generator, Apollo and Relay tooling, Postman, Insomnia) and
// with every option on. tests/api/fixtures/ holds their exact text for the Rust suite;
// `npm run fixtures` rewrites it, and test.mjs fails when it drifts from graphql-js.

import { getIntrospectionQuery } from 'graphql';

export const ALL_OPTIONS = {
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
};

/** fixture file name → [options, query text] */
export const QUERIES = {
  'introspection-default.graphql': [undefined, getIntrospectionQuery()],
  'introspection-all-options.graphql': [ALL_OPTIONS, getIntrospectionQuery(ALL_OPTIONS)],
};

export const FIXTURES = new URL('../tests/api/fixtures/', import.meta.url);
