import { FluentBundle, FluentResource } from '@fluent/bundle';
import { RULE_DEFINITIONS, type RuleName } from '../rules/rule-catalogue.js';

type Pattern = NonNullable<ReturnType<FluentBundle['getMessage']>>['value'] & {};

/** A template that parsed and uses only its rule's variables, ready to format. */
export interface CompiledTemplate {
  readonly language: string;
  format(variables: Readonly<Record<string, string | number>>): string;
}

export type TemplateCheck = { readonly ok: true; readonly template: CompiledTemplate } | { readonly ok: false; readonly problems: readonly string[] };

const MESSAGE_ID = 'notification';

/**
 * Compiles a template's Fluent pattern (what follows `message =` in a .ftl file, variables, selectors
 * and plurals included) for one language, refusing one that does not parse, refers to another message
 * or term, calls a function, or uses a variable its rule does not offer.
 */
export function compileTemplate(rule: RuleName, language: string, source: string): TemplateCheck {
  if (source.trim() === '') return { ok: false, problems: ['a template cannot be empty'] };
  // Every line after the first is indented, so the whole source is one message's pattern.
  const indented = source
    .split('\n')
    .map((line, i) => (i === 0 ? line : `    ${line}`))
    .join('\n');
  const resource = new FluentResource(`${MESSAGE_ID} = ${indented}\n`);
  const entries = resource.body;
  if (entries.length !== 1 || entries[0].id !== MESSAGE_ID || entries[0].value === null) {
    return { ok: false, problems: ['not a Fluent pattern (check the braces, variants and the default variant marked with *)'] };
  }
  const pattern = entries[0].value;
  const offered = RULE_DEFINITIONS[rule].variables;
  const problems = problemsOf(pattern, offered);
  if (problems.length > 0) return { ok: false, problems };

  // Fluent wraps placeables in Unicode isolation marks by default; Telegram clients show them as garbage.
  const bundle = new FluentBundle(language, { useIsolating: false });
  bundle.addResource(resource);
  const errors: Error[] = [];
  bundle.formatPattern(pattern, { ...offered }, errors);
  if (errors.length > 0) return { ok: false, problems: errors.map((error) => error.message) };
  return {
    ok: true,
    template: {
      language,
      format: (variables) => bundle.formatPattern(pattern, { ...variables }),
    },
  };
}

interface Node {
  readonly type?: string;
  readonly name?: string;
  readonly selector?: Node;
  readonly variants?: readonly { readonly value: Pattern }[];
}

function problemsOf(pattern: Pattern, offered: Readonly<Record<string, unknown>>): string[] {
  const problems = new Set<string>();
  const visit = (value: Pattern): void => {
    if (typeof value === 'string') return;
    for (const element of value as readonly (string | Node)[]) {
      if (typeof element !== 'string') visitNode(element);
    }
  };
  const visitNode = (node: Node): void => {
    switch (node.type) {
      case 'var':
        if (!Object.hasOwn(offered, node.name ?? '')) {
          problems.add(
            `unknown variable $${node.name}; this rule offers ${Object.keys(offered)
              .map((v) => `$${v}`)
              .join(', ')}`,
          );
        }
        return;
      case 'select':
        if (node.selector) visitNode(node.selector);
        for (const variant of node.variants ?? []) visit(variant.value);
        return;
      case 'mesg':
      case 'term':
        problems.add(`a template cannot refer to ${node.type === 'term' ? '-' : ''}${node.name}`);
        return;
      case 'func':
        problems.add(`a template cannot call ${node.name}()`);
        return;
      default:
        return;
    }
  };
  visit(pattern);
  return [...problems];
}
