import { describe, expect, it } from 'vitest';
import { escapeHtml, escapeMarkdown } from './escape.js';

describe('escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['" onload="x', '&quot; onload=&quot;x'],
    ["a & b's", 'a &amp; b&#39;s'],
    [42, '42'],
  ])('%s', (value, expected) => {
    expect(escapeHtml(value)).toBe(expected);
  });
});

describe('escapeMarkdown', () => {
  it.each([
    ['pass | ✅ forged', 'pass \\| ✅ forged'],
    ['line\nbreak', 'line break'],
    ['[click](https://evil.example)', '\\[click\\]\\(https://evil.example\\)'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert\\(1\\)&gt;'],
    ['**bold** `code` _em_', '\\*\\*bold\\*\\* \\`code\\` \\_em\\_'],
    ['20260101T000000Z-abc', '20260101T000000Z-abc'],
  ])('%s', (value, expected) => {
    expect(escapeMarkdown(value)).toBe(expected);
  });
});
