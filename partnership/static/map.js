// Maps on the venue and area pages: progressive enhancement over plain form fields.
// Everything comes from data- attributes (JSON), never inline script, and the map
// draws its shapes and markers whether or not a tile server is configured.
// Leaflet (vendor/leaflet/leaflet.js, loaded before this module) provides window.L.

const UK_BOUNDS = [
  [49.8, -8.7],
  [60.95, 1.8],
];
const DECIMALS = 6;
const CLOSE_ZOOM = 17;
const AREA_STYLE = { color: "#1d70b8", weight: 2, fillOpacity: 0.1 };
const EDIT_STYLE = { color: "#d4351c", weight: 3, fillOpacity: 0.2 };
const VENUE_STYLE = { radius: 7, color: "#0b0c0c", weight: 2, fillColor: "#1d70b8", fillOpacity: 0.9 };
const SAFE_SPACE_FILL = "#00703c";
const POINT_STYLE = { radius: 6, color: "#0b0c0c", weight: 1, fillColor: "#d4351c", fillOpacity: 0.9 };

function parse(text, fallback) {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

function round(number) {
  return Number(number.toFixed(DECIMALS));
}

// Names are typed by people: tooltips get text, never HTML.
function textOf(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span;
}

function say(status, message) {
  if (status && message) {
    status.textContent = message;
  }
}

// The areas and venues around what is being edited. They only show names on hover in
// a plain map: while editing, clicks must reach the map itself.
function contextLayer(L, config, interactive) {
  const group = L.featureGroup();
  for (const area of config.areas || []) {
    try {
      const layer = L.geoJSON(area.geometry, { style: AREA_STYLE, interactive });
      if (interactive) {
        layer.bindTooltip(textOf(area.name), { sticky: true });
      }
      layer.addTo(group);
    } catch {
      // A shape Leaflet cannot draw is left out; the list below the map still names it.
    }
  }
  for (const venue of config.venues || []) {
    const style = { ...VENUE_STYLE, interactive };
    if (venue.safeSpace) {
      style.fillColor = SAFE_SPACE_FILL;
    }
    const marker = L.circleMarker([venue.lat, venue.lon], style);
    if (interactive) {
      marker.bindTooltip(textOf(venue.name));
    }
    marker.addTo(group);
  }
  for (const point of config.points || []) {
    const marker = L.circleMarker([point.lat, point.lon], { ...POINT_STYLE, interactive });
    if (interactive && point.label) {
      marker.bindTooltip(textOf(point.label));
    }
    marker.addTo(group);
  }
  return group;
}

function pointEditor(L, map, status, messages) {
  const latitude = document.getElementById("latitude");
  const longitude = document.getElementById("longitude");
  if (!latitude || !longitude) {
    return null;
  }
  const layer = L.featureGroup().addTo(map);
  const typed = () => {
    const lat = Number.parseFloat(latitude.value);
    const lon = Number.parseFloat(longitude.value);
    return Number.isFinite(lat) && Number.isFinite(lon) ? L.latLng(lat, lon) : null;
  };
  const place = (point) => {
    layer.clearLayers();
    if (point) {
      L.circleMarker(point, { ...VENUE_STYLE, radius: 9, fillColor: EDIT_STYLE.color }).addTo(layer);
    }
  };
  map.on("click", (event) => {
    const point = event.latlng.wrap();
    latitude.value = point.lat.toFixed(DECIMALS);
    longitude.value = point.lng.toFixed(DECIMALS);
    place(point);
    say(status, messages.pointSet);
  });
  for (const input of [latitude, longitude]) {
    input.addEventListener("change", () => place(typed()));
  }
  place(typed());
  return layer;
}

function polygonEditor(L, map, panel, status, messages) {
  const textarea = document.getElementById("geometry");
  if (!textarea) {
    return null;
  }
  const shape = L.featureGroup().addTo(map);
  const drawing = L.featureGroup().addTo(map);
  let corners = [];

  // The shape in the text box, whether drawn here or pasted.
  const showText = () => {
    shape.clearLayers();
    const geometry = parse(textarea.value, null);
    if (!geometry) {
      return;
    }
    try {
      L.geoJSON(geometry, { style: EDIT_STYLE, interactive: false }).addTo(shape);
    } catch {
      // Not drawable; saving the form explains what is wrong with it.
    }
  };
  const redraw = () => {
    drawing.clearLayers();
    if (corners.length > 0) {
      L.polyline(corners, { ...EDIT_STYLE, dashArray: "6 4", interactive: false }).addTo(drawing);
    }
    for (const corner of corners) {
      L.circleMarker(corner, { radius: 5, color: EDIT_STYLE.color, interactive: false }).addTo(drawing);
    }
  };
  const on = (action, handler) => {
    const button = panel.querySelector(`[data-map-action="${action}"]`);
    if (button) {
      button.addEventListener("click", handler);
    }
  };

  map.on("click", (event) => {
    corners.push(event.latlng.wrap());
    redraw();
    say(status, messages.cornerAdded);
  });
  on("finish", () => {
    if (corners.length < 3) {
      say(status, messages.needThree);
      return;
    }
    const ring = corners.map((corner) => [round(corner.lng), round(corner.lat)]);
    ring.push(ring[0]);
    textarea.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
    corners = [];
    redraw();
    showText();
    say(status, messages.finished);
  });
  on("undo", () => {
    corners.pop();
    redraw();
    say(status, messages.undone);
  });
  on("clear", () => {
    corners = [];
    textarea.value = "";
    redraw();
    showText();
    say(status, messages.cleared);
  });
  textarea.addEventListener("input", showText);
  showText();
  return shape;
}

function fit(map, layers) {
  for (const layer of layers) {
    if (layer && layer.getLayers().length > 0) {
      const bounds = layer.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [24, 24], maxZoom: CLOSE_ZOOM });
        return;
      }
    }
  }
  map.fitBounds(UK_BOUNDS);
}

function setUp(L, element) {
  const config = parse(element.dataset.map, null);
  if (!config) {
    return;
  }
  const messages = parse(element.dataset.mapMessages, {});
  const panel = element.closest("[data-map-panel]");
  const status = panel ? panel.querySelector("[data-map-status]") : null;
  if (panel) {
    panel.hidden = false; // shown only now that it can work
  }
  const map = L.map(element, { minZoom: 5, maxZoom: 19 });
  if (config.tiles && config.tiles.url) {
    L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution || "", maxZoom: 19 }).addTo(map);
  }
  const context = contextLayer(L, config, config.mode === "view").addTo(map);
  let editing = null;
  if (config.mode === "point") {
    editing = pointEditor(L, map, status, messages);
  } else if (config.mode === "polygon" && panel) {
    editing = polygonEditor(L, map, panel, status, messages);
  }
  fit(map, [editing, context]);
}

const leaflet = window.L;
if (leaflet) {
  for (const element of document.querySelectorAll("[data-map]")) {
    setUp(leaflet, element);
  }
}
