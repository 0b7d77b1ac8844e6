import assert from "node:assert/strict";
import { test } from "node:test";

import { atDistance, basis, fitDistance, orbit, pan, project, ray, zoom, ZOOM_LIMITS_MM } from "../../viz/web/js/core/camera.js";
import { dot3, length3, sub3 } from "../../viz/web/js/core/vec3.js";

const camera = { position_mm: [10, 250, 30], focal_point_mm: [10, 0, 30], view_up: [0, 0, 1] };
const close = (a, b, tol) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("the focal point projects to the canvas centre; a ray through a pixel projects back to it", () => {
  const size = [800, 600];
  const centre = project(camera, camera.focal_point_mm, size, 30);
  close(centre.x, 400, 1e-9);
  close(centre.y, 300, 1e-9);
  for (const [px, py] of [[0, 0], [123, 456], [799, 1]]) {
    const r = ray(camera, px, py, size, 30);
    const point = r.origin.map((o, k) => o + 180 * r.direction[k]);
    const back = project(camera, point, size, 30);
    close(back.x, px, 1e-6);
    close(back.y, py, 1e-6);
  }
  assert.equal(project(camera, [10, 400, 30], size, 30), null);     // behind the eye
});

test("+z is up on screen and the patient's left (+x) is on the right seen from behind", () => {
  const size = [800, 600];
  assert.ok(project(camera, [10, 0, 60], size, 30).y < 300);
  assert.ok(project(camera, [40, 0, 30], size, 30).x < 400);   // looking from +y toward −y, +x appears on the left
});

test("orbit keeps the distance, zoom stays within its limits, pan keeps the direction", () => {
  const turned = orbit(camera, 120, -40, 600);
  close(length3(sub3(turned.position_mm, turned.focal_point_mm)), 250, 1e-6);
  close(basis(zoom(camera, 1000)).distance, ZOOM_LIMITS_MM[0], 1e-9);
  close(basis(zoom(camera, 1e-6)).distance, ZOOM_LIMITS_MM[1], 1e-9);
  const moved = pan(camera, 50, 0, 600, 30);
  close(dot3(basis(moved).forward, basis(camera).forward), 1, 1e-12);
});

test("fitDistance puts every point inside the margin at any aspect ratio", () => {
  const points = [];
  for (let i = 0; i < 200; i++) points.push(10 + 60 * Math.sin(i), 20 * Math.cos(3 * i), 30 + 120 * Math.sin(7 * i));
  for (const [w, h] of [[390, 844], [810, 1080], [1024, 768], [2100, 900]]) {
    const d = fitDistance(camera, points, w / h, 30, 0.08);
    const framed = atDistance(camera, d);
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (let i = 0; i < points.length; i += 3) {
      const p = project(framed, points.slice(i, i + 3), [w, h], 30);
      minX = Math.min(minX, p.x); maxX = Math.max(maxX, p.x); minY = Math.min(minY, p.y); maxY = Math.max(maxY, p.y);
    }
    const mx = 0.04 * w - 1e-6, my = 0.04 * h - 1e-6;
    assert.ok(minX >= mx && maxX <= w - mx && minY >= my && maxY <= h - my, `${w}x${h}: ${[minX, maxX, minY, maxY]}`);
    assert.ok(Math.abs(minX - mx) < 1 || Math.abs(maxX - (w - mx)) < 1 || Math.abs(minY - my) < 1 || Math.abs(maxY - (h - my)) < 1, "tight on one side");
  }
});

test("a portrait screen needs more distance than a landscape one for a wide subject", () => {
  const wide = [-80, 0, 0, 80, 0, 0, 0, 0, -20, 0, 0, 20];
  assert.ok(fitDistance(camera, wide, 390 / 844, 30, 0.08) > 2 * fitDistance(camera, wide, 1024 / 768, 30, 0.08));
});
