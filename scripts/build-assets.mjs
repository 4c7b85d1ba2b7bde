// Builds partnership/static/vendor/ from npm packages: the portal's CSS (GOV.UK Frontend
// compiled with the portal's settings), GOV.UK Frontend's JS and images, and Leaflet.
// Nothing here is committed; `make assets` runs it at set-up.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "partnership", "static", "vendor");
const modules = join(root, "node_modules");

rmSync(vendor, { recursive: true, force: true });
mkdirSync(join(vendor, "govuk"), { recursive: true });

const result = sass.compile(join(root, "partnership", "static", "scss", "portal.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter()],
  quietDeps: true,
});
writeFileSync(join(vendor, "portal.css"), result.css);

const govuk = join(modules, "govuk-frontend", "dist", "govuk");
cpSync(join(govuk, "govuk-frontend.min.js"), join(vendor, "govuk", "govuk-frontend.min.js"));
cpSync(join(govuk, "assets", "images"), join(vendor, "govuk", "assets", "images"), { recursive: true });
cpSync(join(modules, "leaflet", "dist"), join(vendor, "leaflet"), { recursive: true });

console.log(`assets built in ${vendor}`);
