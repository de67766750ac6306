/*
 * Draws the site's charts with the local Vega bundle (assets/vendor/vega.js).
 *
 * Each chart is a <figure class="thesis-chart"> holding its caption, an empty view <div>, a
 * <noscript> SVG and a link to its data (assets/charts/<id>.csv); the Vega-Lite spec sits
 * beside the CSV as <id>.json. Links are used rather than data attributes because MkDocs rewrites
 * and checks them, and Material's instant navigation resolves them.
 *
 * Material swaps page content without reloading scripts, so drawing is subscribed to its
 * document$ observable (it emits on the first load and after every instant navigation).
 * Charts are redrawn when the palette switches (Material sets data-md-color-scheme on
 * <body>): text and grid colours come from Material's CSS variables, and mark colours
 * from the spec's usermeta.dark map in dark mode. Width is "container", so Vega follows
 * the page width on its own.
 */
(function () {
  "use strict";

  var drawn = [];   // {figure, result} for the charts on the current page
  var specs = {};   // spec URL -> Promise of the parsed spec
  var generation = 0;

  function isDark() {
    return document.body.getAttribute("data-md-color-scheme") === "slate";
  }

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.body).getPropertyValue(name).trim();
    return value || fallback;
  }

  function themeConfig() {
    var ink = cssVar("--md-default-fg-color", "rgba(0,0,0,.87)");
    var light = cssVar("--md-default-fg-color--light", "rgba(0,0,0,.54)");
    var lighter = cssVar("--md-default-fg-color--lighter", "rgba(0,0,0,.32)");
    var lightest = cssVar("--md-default-fg-color--lightest", "rgba(0,0,0,.07)");
    return {
      background: null,
      font: getComputedStyle(document.body).fontFamily,
      axis: {labelColor: light, titleColor: light, gridColor: lightest,
             domainColor: lighter, tickColor: lighter},
      legend: {labelColor: ink, titleColor: ink},
      title: {color: ink, subtitleColor: light},
      text: {color: ink}
    };
  }

  function merge(base, over) {
    var out = Object.assign({}, base);
    Object.keys(over || {}).forEach(function (key) {
      var value = over[key];
      out[key] = value && typeof value === "object" && !Array.isArray(value) &&
        out[key] && typeof out[key] === "object" ? merge(out[key], value) : value;
    });
    return out;
  }

  function prepare(spec) {
    var text = JSON.stringify(spec);
    var dark = isDark() && spec.usermeta && spec.usermeta.dark;
    if (dark) {
      Object.keys(dark).forEach(function (light) {
        text = text.split('"' + light + '"').join('"' + dark[light] + '"');
      });
    }
    var out = JSON.parse(text);
    out.config = merge(themeConfig(), out.config);
    return out;
  }

  function specUrl(figure) {
    var link = figure.querySelector("a.thesis-chart__csv");
    return link ? link.href.replace(/\.csv(?=$|[?#])/, ".json") : null;
  }

  function load(url) {
    if (!specs[url]) {
      specs[url] = fetch(url).then(function (response) {
        if (!response.ok) throw new Error(url + ": HTTP " + response.status);
        return response.json();
      });
      specs[url].catch(function () { delete specs[url]; });
    }
    return specs[url];
  }

  function fallback(figure, url) {
    var view = figure.querySelector(".thesis-chart__view");
    if (!view || view.querySelector("img")) return;
    var img = document.createElement("img");
    img.src = url.replace(/\.json$/, ".svg");
    img.alt = figure.querySelector("figcaption strong")
      ? figure.querySelector("figcaption strong").textContent : "chart";
    view.appendChild(img);
  }

  function draw(figure, round) {
    var url = specUrl(figure);
    var view = figure.querySelector(".thesis-chart__view");
    if (!url || !view) return Promise.resolve();
    if (typeof vegaEmbed !== "function") {  // the bundle did not load: show the static SVG
      fallback(figure, url);
      return Promise.resolve();
    }
    return load(url).then(function (spec) {
      if (round !== generation || !document.body.contains(figure)) return;
      return vegaEmbed(view, prepare(spec), {
        actions: false,
        renderer: "svg",
        defaultStyle: false,
        tooltip: {theme: isDark() ? "dark" : "light"}
      }).then(function (result) {
        if (round !== generation) { result.finalize(); return; }
        drawn.push({figure: figure, result: result});
        figure.classList.add("thesis-chart--drawn");
      });
    }).catch(function (error) {
      console.error("chart " + url + " could not be drawn:", error);
      fallback(figure, url);
    });
  }

  function clear() {
    drawn.forEach(function (entry) { entry.result.finalize(); });
    drawn = [];
  }

  function drawAll() {
    generation += 1;
    clear();
    var round = generation;
    document.querySelectorAll("figure.thesis-chart").forEach(function (figure) {
      var view = figure.querySelector(".thesis-chart__view");
      if (view) view.textContent = "";
      draw(figure, round);
    });
  }

  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(drawAll);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }

  var scheme = document.body.getAttribute("data-md-color-scheme");
  new MutationObserver(function () {
    var now = document.body.getAttribute("data-md-color-scheme");
    if (now !== scheme) {
      scheme = now;
      drawAll();
    }
  }).observe(document.body, {attributes: true, attributeFilter: ["data-md-color-scheme"]});
})();
