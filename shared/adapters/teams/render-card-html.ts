import { readFileSync } from 'node:fs';
import { cardOf } from '../../domain/cards/teams-message';

/**
 * A self-contained HTML page that renders a card with the adaptivecards.io JavaScript renderer: the
 * bundle and the card JSON are inlined, so the file opens offline from disk. It is the adaptivecards.io
 * renderer, not Teams' own, so spacing and colours differ a little (reference §3.1); it is a preview
 * and a regression aid, not a pixel-exact Teams view. Used by `acr-autopilot card --html OUT`.
 *
 * `message` may be the bare card or the Workflows envelope around it.
 */
export function renderCardHtml(message: unknown, options: { title?: string } = {}): string {
  const card = cardOf(message) ?? message;
  const title = options.title ?? 'acr-autopilot card preview';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src https: data:">
<title>${escapeHtml(title)}</title>
<style>
  body { margin: 0; padding: 24px; background: #f0f0f0; font-family: 'Segoe UI', system-ui, sans-serif; }
  main { max-width: 720px; margin: 0 auto; }
  #card { background: #fff; border-radius: 6px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.15); overflow: hidden; }
  #problems { color: #a4262c; white-space: pre-wrap; }
  .ac-textBlock code, .ac-textBlock strong { font-family: inherit; }
</style>
</head>
<body>
<main>
<h1 style="font-size: 14px; font-weight: 600; color: #616161">${escapeHtml(title)}</h1>
<div id="card"></div>
<pre id="problems"></pre>
<noscript>The preview needs JavaScript to render the card.</noscript>
</main>
<script>${scriptSafe(adaptiveCardsBundle())}</script>
<script id="card-json" type="application/json">${JSON.stringify(card, null, 2).replace(/</g, '\\u003c')}</script>
<script>${scriptSafe(pageScript)}</script>
</body>
</html>
`;
}

let bundle: string | undefined;

/** The minified UMD bundle of the installed adaptivecards package (it defines `window.AdaptiveCards`). */
function adaptiveCardsBundle(): string {
  bundle ??= readFileSync(require.resolve('adaptivecards/dist/adaptivecards.min.js'), 'utf8');
  return bundle;
}

/**
 * Runs in the browser. Teams renders a markdown subset (bold, italic, links, lists) and so does this
 * hook; the renderer calls it for every TextBlock and Fact, and shows the text unprocessed without it.
 */
const pageScript = String.raw`
(function () {
  'use strict';
  var AC = window.AdaptiveCards;
  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function inline(text) {
    var escapes = [];
    text = text.replace(/\\([\\*_~\[\]<>#+\-.!()])/g, function (_, c) {
      escapes.push(c);
      return '\u0000' + (escapes.length - 1) + '\u0000';
    });
    text = escapeHtml(text)
      .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noopener">$1</a>')
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|[^\w])_([^_]+)_(?!\w)/g, '$1<em>$2</em>')
      .replace(/\*([^*]+)\*/g, '<em>$1</em>');
    return text.replace(/\u0000(\d+)\u0000/g, function (_, i) {
      return escapeHtml(escapes[Number(i)]);
    });
  }
  function markdown(text) {
    var html = [];
    var list = null;
    text.split(/\r?\n/).forEach(function (line) {
      var item = /^\s*(?:[-*+]|(\d+)\.)\s+(.*)$/.exec(line);
      var kind = item ? (item[1] ? 'ol' : 'ul') : null;
      if (list && list !== kind) {
        html.push('</' + list + '>');
        list = null;
      }
      if (item) {
        if (!list) html.push('<' + (list = kind) + '>');
        html.push('<li>' + inline(item[2]) + '</li>');
      } else if (line.trim()) {
        html.push('<p style="margin: 0">' + inline(line) + '</p>');
      }
    });
    if (list) html.push('</' + list + '>');
    return html.join('');
  }
  var problems = document.getElementById('problems');
  try {
    AC.AdaptiveCard.onProcessMarkdown = function (text, result) {
      result.outputHtml = markdown(text);
      result.didProcess = true;
    };
    var card = new AC.AdaptiveCard();
    card.hostConfig = new AC.HostConfig({ fontFamily: "'Segoe UI', system-ui, sans-serif" });
    card.onExecuteAction = function (action) {
      if (action instanceof AC.OpenUrlAction && /^https?:/i.test(action.url || '')) {
        window.open(action.url, '_blank', 'noopener');
      }
    };
    card.parse(JSON.parse(document.getElementById('card-json').textContent));
    document.getElementById('card').appendChild(card.render());
    var report = card.validateProperties();
    problems.textContent = report.validationEvents.map(function (e) { return e.message; }).join('\n');
  } catch (error) {
    problems.textContent = 'The card could not be rendered: ' + error;
  }
})();
`;

/** Inline script text must not close its element or open an HTML comment early. */
function scriptSafe(text: string): string {
  return text.replace(/<(\/script|!--)/gi, '\\u003c$1');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
