import { stringify } from 'yaml';
import { envName, onSurface, type OperationDef } from './define.js';
import { markdownCell } from '../report/markdown.js';

/** The `action.yml` an operation's schema implies: inputs, defaults, outputs, runtime. */
export function renderActionYaml(operation: OperationDef): string {
  const action = operation.action;
  if (!action) throw new Error(`${operation.command} is not an action`);
  const inputs: Record<string, Record<string, unknown>> = {};
  for (const [name, def] of Object.entries(operation.options)) {
    if (!onSurface(def, 'action')) continue;
    const input: Record<string, unknown> = {
      description: def.secret ? `${def.description} Secret: pass it from \`secrets\`.` : def.description,
      required: def.required === true,
    };
    if (def.default !== undefined) input.default = def.default;
    inputs[name] = input;
  }
  const outputs = Object.fromEntries(
    Object.entries(operation.outputs).map(([name, description]) => [name, { description }]),
  );
  const document = {
    name: action.name,
    description: action.description,
    author: 'Lifeboat',
    branding: { icon: action.icon, color: action.color },
    inputs,
    outputs,
    runs: { using: 'node24', main: 'dist/index.js' },
  };
  const header = `# Generated from packages/core/src/options/${operation.command}.ts by \`npm run docs\`; edit the schema, not this file.\n`;
  return header + stringify(document, { lineWidth: 0 });
}

/** Markdown tables of an operation's options (with env names) and outputs, for the README. */
export function renderOptionsMarkdown(operation: OperationDef): string {
  const rows = Object.entries(operation.options).map(([name, def]) => {
    const where = [
      onSurface(def, 'action') ? `\`${name}\`` : '—',
      onSurface(def, 'cli') ? `\`--${name}\`` : '—',
      `\`${envName(name)}\``,
    ].join(' / ');
    const dflt = def.default !== undefined ? `\`${def.default}\`` : def.required ? '**required**' : '';
    const form = def.kind === 'string' || def.kind === 'text' ? '' : `Form: ${def.form}.`;
    const notes = [def.description, def.secret ? '*Secret.*' : '', form].filter(Boolean).join(' ');
    return `| ${where} | ${dflt} | ${markdownCell(notes)} |`;
  });
  const lines = [
    '| input / flag / env | default | description |',
    '| --- | --- | --- |',
    ...rows,
  ];
  const outputs = Object.entries(operation.outputs);
  if (outputs.length > 0) {
    lines.push('', '| output | description |', '| --- | --- |');
    for (const [name, description] of outputs) lines.push(`| \`${name}\` | ${markdownCell(description)} |`);
  }
  return lines.join('\n');
}

/** Replaces the text between `<!-- options:NAME -->` and `<!-- /options:NAME -->` markers. */
export function replaceGeneratedSections(text: string, sections: Record<string, string>): string {
  return text.replace(
    /(<!-- options:([a-z-]+) -->)[\s\S]*?(<!-- \/options:\2 -->)/g,
    (whole, open: string, name: string, close: string) =>
      name in sections ? `${open}\n${sections[name]}\n${close}` : whole,
  );
}
