// GraphQL Code Generator for the typed client test: types for every `graphql()` document
// under src/, checked against the schema the server exports (../schema.graphql), so a
// schema change that breaks one of these documents fails `npm test`.
//
// Run from clients/: `npm run codegen`. Output in typed/src/gql/ (not committed).
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['typed/src/**/*.ts', '!typed/src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'typed/src/gql/': {
      preset: 'client',
      presetConfig: {
        // Also writes persisted-documents.json ({ sha256 of the text: text }), the format
        // trusted documents load; SHA-256 so the keys are also APQ hashes.
        persistedDocuments: { hashAlgorithm: 'sha256' },
        fragmentMasking: false,
      },
      config: {
        useTypeImports: true,
        // `.js` in the generated imports, as Node's ES modules (tsconfig `nodenext`) need.
        emitLegacyCommonJSImports: false,
        // Every custom scalar must be named here: a new one fails codegen, not a client.
        strictScalars: true,
        scalars: {
          Area: 'string',
          Date: 'string',
          DateTime: 'string',
          JSON: 'unknown',
          Money: 'string',
          NaiveDate: 'string',
          Upload: 'File',
        },
      },
    },
  },
};

export default config;
