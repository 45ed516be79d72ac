// The routes' JSON schemas compiled when they are first needed, not while the app starts.
// Fastify compiles every request validator (Ajv) and response serializer
// (fast-json-stringify) of every route before it listens: about 0.35 s of an embedded start
// on a 2-core machine (issue 15). Here each compiler is Fastify's own, with the same
// options, but the work for a route is done by its first request, or by `warm()` once the
// process listens, whichever comes first. `warm()` compiles in small steps between
// requests, and reports any schema that does not compile.
import AjvCompiler from '@fastify/ajv-compiler';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type Compiled = (data: unknown) => unknown;
/** What Fastify passes to a compiler for one schema of a route. */
type RouteSchema = { schema: unknown; method: string; url: string; httpPart?: string; httpStatus?: string };
type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

export type LazySchemas = {
  compilersFactory: CompilersFactory;
  /** Compiles what is still pending, one schema per turn of the event loop; resolves with the failures. */
  warm(): Promise<{ route: string; error: unknown }[]>;
  /** Schemas not compiled yet. */
  pending(): number;
};

export function lazySchemas(): LazySchemas {
  const pending = new Set<{ route: string; compile: () => unknown }>();

  /** A function that compiles `build()` on its first call (or at `warm`), then is that function. */
  function lazy<F extends Compiled>(route: string, build: () => F, copyErrors: boolean): F {
    let compiled: F | undefined;
    const entry = {
      route,
      compile: (): F => {
        compiled ??= build();
        pending.delete(entry);
        return compiled;
      },
    };
    pending.add(entry);
    const call = function (this: unknown, data: unknown) {
      const fn = compiled ?? entry.compile();
      const result = fn.call(this, data);
      // Fastify reads a failed validation's details from the validator itself.
      if (copyErrors) (call as unknown as { errors: unknown }).errors = (fn as unknown as { errors: unknown }).errors;
      return result;
    } as F;
    return call;
  }

  const ajv = AjvCompiler();
  const serializers = SerializerSelector();
  const nameOf = (r: { method: string; url: string }, part: string) => `${r.method} ${r.url} ${part}`;

  return {
    compilersFactory: {
      buildValidator: ((...args: Parameters<typeof ajv>) => {
        const compile = ajv(...args) as unknown as (route: RouteSchema) => Compiled;
        return (route: RouteSchema) => lazy(nameOf(route, route.httpPart ?? ''), () => compile(route), true);
      }) as CompilersFactory['buildValidator'],
      buildSerializer: ((...args: Parameters<typeof serializers>) => {
        const compile = serializers(...args) as unknown as (route: RouteSchema) => Compiled;
        return (route: RouteSchema) => lazy(nameOf(route, `response ${route.httpStatus ?? ''}`), () => compile(route), false);
      }) as CompilersFactory['buildSerializer'],
    },
    async warm() {
      const failures: { route: string; error: unknown }[] = [];
      for (const entry of [...pending]) {
        await new Promise((resolve) => setImmediate(resolve));
        if (!pending.has(entry)) continue;
        try {
          entry.compile();
        } catch (error) {
          pending.delete(entry);
          failures.push({ route: entry.route, error });
        }
      }
      return failures;
    },
    pending: () => pending.size,
  };
}
