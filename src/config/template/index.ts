// Name templates (docs/behaviour.md#name-templates): parsed and checked once per config load, executed once per new process.

import { TemplateError, parse, type ListNode } from './parse';
import { check } from './check';
import { execute } from './exec';
import { GoTime, RootValue, type NameTemplateData } from './values';

export { GoTime, TemplateError, type NameTemplateData };

export interface NameTemplate {
  readonly source: string;
  /** The rendered name; on an execution error, the text written before it and Go's error text. */
  execute(data: NameTemplateData): { text: string; error?: string };
}

class ParsedTemplate implements NameTemplate {
  constructor(readonly source: string, private readonly root: ListNode) {}

  execute(data: NameTemplateData): { text: string; error?: string } {
    return execute(this.source, this.root, new RootValue(data));
  }
}

/** Parse and check a name template; throws TemplateError with a Go-style message. */
export function parseTemplate(source: string): NameTemplate {
  const root = parse(source);
  check(source, root);
  return new ParsedTemplate(source, root);
}
