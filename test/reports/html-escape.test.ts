/** The html tag: values are escaped unless they are markup the tag made; terminal noise is dropped. */
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, join, raw } from '../../harness/reports/html/escape.ts';

describe('escapeHtml', () => {
  it('escapes every character that could start markup or end an attribute', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
  });

  it('drops colour codes and control characters but keeps tabs, newlines and non-ASCII text', () => {
    expect(escapeHtml('\x1b[31mred\x1b[0m\x00\x07\tok\r\nü ✓ 🙂')).toBe('red\tok\r\nü ✓ 🙂');
  });

  it('drops lone surrogates (invalid in a UTF-8 page) but keeps pairs', () => {
    expect(escapeHtml('a\uD800b\uDC00c\uD83D\uDE42')).toBe('abc\uD83D\uDE42');
  });
});

describe('html', () => {
  it('escapes interpolated text and numbers, passes its own markup, renders lists and drops null/false', () => {
    const name = '<b onclick="x">';
    const inner = html`<i>${name}</i>`;
    expect(html`<p title="${name}">${inner}${[1, ' & ', 2]}${null}${false}${undefined}</p>`.value).toBe(
      '<p title="&lt;b onclick=&quot;x&quot;&gt;"><i>&lt;b onclick=&quot;x&quot;&gt;</i>1 &amp; 2</p>',
    );
  });

  it('a string that merely looks like markup is still escaped; only raw() trusts text', () => {
    expect(html`${'<br>'}`.value).toBe('&lt;br&gt;');
    expect(html`${raw('<br>')}`.value).toBe('<br>');
    expect(join(['<a>', html`<b></b>`], ' | ').value).toBe('&lt;a&gt; | <b></b>');
  });
});
