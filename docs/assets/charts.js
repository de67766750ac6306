/*
 * Makes the site's charts interactive when a reader reaches for them.
 *
 * Each chart is a <figure class="thesis-chart"> holding its caption, a view <div> with the
 * chart's static SVG as an <img>, and a link to its data (assets/charts/<id>.csv); the
 * chart's Vega spec, compiled at build time, sits beside the CSV as <id>.json. A first
 * visit loads nothing else: the Vega bundle (assets/vendor/vega.js, about 300 KB
 * compressed) is fetched only when the reader hovers, taps or tabs into a chart. That
 * chart then draws interactively in place of its picture, and from then on the other
 * charts follow as they scroll into view, when the browser is idle.
 *
 * Material swaps page content without reloading scripts, so the charts of each page are
 * found from its document$ observable (it emits on the first load and after every instant
 * navigation). Drawn charts are redrawn when the palette switches (Material sets
 * data-md-color-scheme on <body>): text and grid colours come from Material's CSS
 * variables, and mark colours from the spec's usermeta.dark map in dark mode. Width
 * follows the container, so Vega follows the page width on its own. The static pictures
 * are darkened by charts.css.
 */
(function () {
  "use strict";

  var BUNDLE = new URL("vendor/vega.js", document.currentScript.src).href;
  var drawn = [];   // {figure, result} for the charts drawn on the current page
  var specs = {};   // spec URL -> Promise of the parsed spec
  var runtime = null;  // Promise of window.vegaEmbed once the bundle is asked for
  var generation = 0;
  var watcher = null;  // IntersectionObserver drawing visible charts once Vega is here

  function isDark() {
    return document.body.getAttribute("data-md-color-scheme") === "slate";
  }

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.body).getPropertyValue(name).trim();
    return value || fallback;
  }

  function themeConfig() {  // Vega config: the spec was compiled from Vega-Lite at build time
    var ink = cssVar("--md-default-fg-color", "rgba(0,0,0,.87)");
    var light = cssVar("--md-default-fg-color--light", "rgba(0,0,0,.54)");
    var lighter = cssVar("--md-default-fg-color--lighter", "rgba(0,0,0,.32)");
    var lightest = cssVar("--md-default-fg-color--lightest", "rgba(0,0,0,.07)");
    var font = getComputedStyle(document.body).fontFamily;
    return {
      axis: {labelColor: light, titleColor: light, gridColor: lightest,
             domainColor: lighter, tickColor: lighter, labelFont: font, titleFont: font},
      legend: {labelColor: ink, titleColor: ink, labelFont: font, titleFont: font},
      title: {color: ink, subtitleColor: light, font: font, subtitleFont: font},
      text: {fill: ink, font: font}
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
    out.background = null;
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

  function loadRuntime() {
    if (!runtime) {
      runtime = new Promise(function (resolve, reject) {
        if (typeof window.vegaEmbed === "function") { resolve(window.vegaEmbed); return; }
        var script = document.createElement("script");
        script.src = BUNDLE;
        script.onload = function () {
          if (typeof window.vegaEmbed === "function") resolve(window.vegaEmbed);
          else reject(new Error(BUNDLE + " did not define vegaEmbed"));
        };
        script.onerror = function () { reject(new Error(BUNDLE + " could not be loaded")); };
        document.head.appendChild(script);
      });
      runtime.then(watchVisible, function () { runtime = null; });
    }
    return runtime;
  }

  function draw(figure, round) {
    var url = specUrl(figure);
    var view = figure.querySelector(".thesis-chart__view");
    if (!url || !view || figure.dataset.chart) return Promise.resolve();
    figure.dataset.chart = "loading";
    return Promise.all([loadRuntime(), load(url)]).then(function (both) {
      if (round !== generation || !document.body.contains(figure)) return stale(figure);
      var target = document.createElement("div");
      target.className = "thesis-chart__live";
      view.appendChild(target);
      return both[0](target, prepare(both[1]), {
        mode: "vega",
        actions: false,
        renderer: "svg",
        defaultStyle: false,
        tooltip: {theme: isDark() ? "dark" : "light"}
      }).then(function (result) {
        if (round !== generation) { result.finalize(); target.remove(); return stale(figure); }
        drawn.push({figure: figure, result: result});
        figure.dataset.chart = "drawn";
        figure.classList.add("thesis-chart--drawn");
      });
    }).catch(function (error) {
      // the static picture stays: the chart still reads, without its tooltips
      console.warn("chart " + url + " stays static:", error);
      delete figure.dataset.chart;
      figure.classList.add("thesis-chart--static");
    });
  }

  // a chart still loading when the page or the palette changed: drawn again for the
  // current one if it is still on the page
  function stale(figure) {
    delete figure.dataset.chart;
    if (document.body.contains(figure)) return draw(figure, generation);
  }

  function reach(event) {
    var figure = event.currentTarget;
    if (!figure.classList.contains("thesis-chart--static")) draw(figure, generation);
  }

  function watchVisible() {
    if (watcher || !("IntersectionObserver" in window)) return;
    var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 200); };
    watcher = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        watcher.unobserve(entry.target);
        var round = generation;
        idle(function () { draw(entry.target, round); });
      });
    }, {rootMargin: "200px 0px"});
    figures().forEach(function (figure) { watcher.observe(figure); });
  }

  function figures() {
    return document.querySelectorAll("figure.thesis-chart");
  }

  function clear() {
    drawn.forEach(function (entry) {
      entry.result.finalize();
      var live = entry.figure.querySelector(".thesis-chart__live");
      if (live) live.remove();
      delete entry.figure.dataset.chart;
      entry.figure.classList.remove("thesis-chart--drawn");
    });
    drawn = [];
  }

  function setUp() {
    generation += 1;
    clear();
    if (watcher) watcher.disconnect();
    watcher = null;
    figures().forEach(function (figure) {
      ["pointerenter", "pointerdown", "focusin"].forEach(function (name) {
        figure.addEventListener(name, reach, {passive: true});
      });
    });
    if (runtime) runtime.then(watchVisible);
  }

  function redraw() {
    var again = drawn.map(function (entry) { return entry.figure; });
    generation += 1;
    clear();
    again.forEach(function (figure) { draw(figure, generation); });
  }

  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }

  var scheme = document.body.getAttribute("data-md-color-scheme");
  new MutationObserver(function () {
    var now = document.body.getAttribute("data-md-color-scheme");
    if (now !== scheme) {
      scheme = now;
      redraw();
    }
  }).observe(document.body, {attributes: true, attributeFilter: ["data-md-color-scheme"]});
})();
