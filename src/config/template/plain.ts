// Name templates made only of literal text and the actions {{.Comm}}, {{.ExeBase}}, {{.ExeFull}},
// {{.Username}}, {{.SystemdUnit}}, {{.ContainerID}} and {{.PodUID}} (the packaged all.yaml's "{{.Comm}}" and most configs in the wild): Go prints each of
// those fields as is, so the name is a concatenation. This file stands alone so that such a config never
// loads the template engine (parse, check, exec, format: about 1.6 MiB of resident code).

/** The string fields a plain template may print. */
export interface PlainFields {
  Comm: string;
  ExeBase: string;
  ExeFull: string;
  Username: string;
  SystemdUnit: string;
  ContainerID: string;
  PodUID: string;
}

export interface PlainTemplate {
  readonly source: string;
  render(fields: PlainFields): string;
}

const ACTION = /\{\{\.(Comm|ExeBase|ExeFull|Username|SystemdUnit|ContainerID|PodUID)\}\}/y;

/** The template as text and fields, or undefined when it has any other action (the engine's job). */
export function plainTemplate(source: string): PlainTemplate | undefined {
  const parts: Array<string | keyof PlainFields> = [];
  const isField: boolean[] = [];
  let pos = 0;
  for (;;) {
    const open = source.indexOf('{{', pos);
    const text = open < 0 ? source.slice(pos) : source.slice(pos, open);
    if (text !== '') {
      parts.push(text);
      isField.push(false);
    }
    if (open < 0) break;
    ACTION.lastIndex = open;
    const m = ACTION.exec(source);
    if (m === null) return undefined;
    parts.push(m[1] as keyof PlainFields);
    isField.push(true);
    pos = ACTION.lastIndex;
  }
  if (parts.length === 1 && isField[0]) {
    const field = parts[0] as keyof PlainFields;
    return { source, render: (f) => f[field] };
  }
  return {
    source,
    render(f) {
      let out = '';
      for (let i = 0; i < parts.length; i++) out += isField[i] ? f[parts[i] as keyof PlainFields] : parts[i];
      return out;
    },
  };
}
