// lucid's textured-mesh viewer: WebGL2, no external scripts. `root` is the viewer's element, `data` the mesh
// (base64 typed arrays), its texture (an image data URL) and the background colour. The view is the original
// Lucid's: a camera 3.3 units from the origin on +z with a 42 degree vertical field of view, orbiting the origin
// (drag to rotate, wheel to zoom); "Shade" lights the mesh from the camera, "Unfold" morphs it into its UV layout.
function lucidMeshViewer(root, data) {
  const canvas = root.querySelector("canvas");
  const gl = canvas.getContext("webgl2", { antialias: true });
  if (!gl) {
    root.querySelector(".lucid-mesh-message").textContent = "This browser has no WebGL2: the mesh cannot be shown.";
    return;
  }
  function decode(text, Type) {
    const bytes = atob(text);
    const buffer = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) buffer[i] = bytes.charCodeAt(i);
    return new Type(buffer.buffer);
  }
  function compile(kind, source) {
    const shader = gl.createShader(kind);
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    return shader;
  }
  const program = gl.createProgram();
  // Unfolding moves each vertex towards its uv, placed directly in clip space; shading is the cosine between the
  // normal and the direction to the camera (turning to the normal itself as the mesh unfolds).
  gl.attachShader(program, compile(gl.VERTEX_SHADER, `#version 300 es
    in vec3 position; in vec2 uv; in vec3 normal;
    uniform mat4 viewProj; uniform vec3 cameraPosition; uniform float unfold, shade, viewAspect;
    out vec2 vUv; out float vShading;
    void main() {
      vec4 plane = vec4((uv.x * 2.0 - 1.0) / viewAspect, uv.y * 2.0 - 1.0, 0.0, 1.0);
      gl_Position = mix(viewProj * vec4(position, 1.0), plane, unfold);
      vec3 light = mix(normalize(cameraPosition - position), normal, unfold);
      vShading = shade > 0.5 ? dot(normal, light) : 1.0;
      vUv = uv;
    }`));
  gl.attachShader(program, compile(gl.FRAGMENT_SHADER, `#version 300 es
    precision highp float;
    in vec2 vUv; in float vShading;
    uniform sampler2D tex;
    out vec4 color;
    void main() {
      vec4 texel = texture(tex, vUv);
      color = vec4(texel.rgb * vShading, texel.a);
    }`));
  gl.linkProgram(program);
  gl.useProgram(program);
  const vao = gl.createVertexArray();
  gl.bindVertexArray(vao);
  [["position", 3], ["uv", 2], ["normal", 3]].forEach(([name, size]) => {
    const location = gl.getAttribLocation(program, name);
    gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
    gl.bufferData(gl.ARRAY_BUFFER, decode(data[name], Float32Array), gl.STATIC_DRAW);
    gl.enableVertexAttribArray(location);
    gl.vertexAttribPointer(location, size, gl.FLOAT, false, 0, 0);
  });
  const faces = decode(data.face, Uint32Array);
  gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, gl.createBuffer());
  gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, faces, gl.STATIC_DRAW);
  const texture = gl.createTexture();
  const state = { yaw: 0, pitch: 0, distance: 3.3, loaded: false, unfolded: false, unfoldStart: -1e9 };
  const image = new Image();
  image.onload = () => {
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, true); // v = 1 is the top row of the texture image
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, image);
    gl.generateMipmap(gl.TEXTURE_2D);
    state.loaded = true;
    requestAnimationFrame(draw);
  };
  image.src = data.texture;

  function camera() {
    const c = Math.cos(state.pitch), d = state.distance;
    return [d * Math.sin(state.yaw) * c, d * Math.sin(state.pitch), d * Math.cos(state.yaw) * c];
  }
  function viewProjection(eye) { // column-major perspective(42 deg, aspect, 0.1, 100) * lookAt(eye, origin, +y)
    const f = 1 / Math.tan((42 / 2) * Math.PI / 180), aspect = canvas.width / canvas.height, near = 0.1, far = 100;
    const length = (v) => Math.hypot(v[0], v[1], v[2]);
    const back = eye.map((x) => x / length(eye)); // the camera's +z axis
    const side0 = [back[2], 0, -back[0]]; // up x back, up = +y
    const side = side0.map((x) => x / (length(side0) || 1));
    const up = [back[1] * side[2] - back[2] * side[1], back[2] * side[0] - back[0] * side[2],
      back[0] * side[1] - back[1] * side[0]];
    const dot = (a) => a[0] * eye[0] + a[1] * eye[1] + a[2] * eye[2];
    const rows = [[...side, -dot(side)], [...up, -dot(up)], [...back, -dot(back)]];
    const a = (far + near) / (near - far), b = (2 * far * near) / (near - far);
    const proj = [[f / aspect, 0, 0, 0], [0, f, 0, 0], [0, 0, a, b], [0, 0, -1, 0]];
    const view = [...rows, [0, 0, 0, 1]];
    const m = new Float32Array(16);
    for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += proj[r][k] * view[k][c];
      m[c * 4 + r] = sum;
    }
    return m;
  }
  const checkbox = (name) => root.querySelector("input[name=" + name + "]").checked;
  function unfolding(time) { // eased over one second, as the original's viewer
    const wanted = checkbox("unfold");
    if (wanted !== state.unfolded) {
      state.unfolded = wanted;
      state.unfoldStart = time - Math.max(state.unfoldStart + 1000 - time, 0);
    }
    const t = Math.min(Math.max((time - state.unfoldStart) / 1000, 0), 1);
    const eased = t * t * (3 - 2 * t);
    return { value: state.unfolded ? eased : 1 - eased, moving: t < 1 };
  }
  function draw(time) {
    if (!state.loaded) return;
    const unfold = unfolding(time || 0);
    const eye = camera();
    gl.viewport(0, 0, canvas.width, canvas.height);
    gl.clearColor(data.background[0], data.background[1], data.background[2], 1);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    gl.enable(gl.DEPTH_TEST);
    gl.uniformMatrix4fv(gl.getUniformLocation(program, "viewProj"), false, viewProjection(eye));
    gl.uniform3fv(gl.getUniformLocation(program, "cameraPosition"), eye);
    gl.uniform1f(gl.getUniformLocation(program, "viewAspect"), canvas.width / canvas.height);
    gl.uniform1f(gl.getUniformLocation(program, "unfold"), unfold.value);
    gl.uniform1f(gl.getUniformLocation(program, "shade"), checkbox("shade") ? 1 : 0);
    gl.bindVertexArray(vao);
    gl.drawElements(gl.TRIANGLES, faces.length, gl.UNSIGNED_INT, 0);
    if (unfold.moving) requestAnimationFrame(draw);
  }
  const redraw = () => requestAnimationFrame(draw);
  let drag = null;
  canvas.addEventListener("mousedown", (e) => { drag = [e.clientX, e.clientY]; });
  window.addEventListener("mouseup", () => { drag = null; });
  window.addEventListener("mousemove", (e) => {
    if (!drag) return;
    state.yaw -= (e.clientX - drag[0]) * 0.01;
    state.pitch = Math.max(-1.5, Math.min(1.5, state.pitch + (e.clientY - drag[1]) * 0.01));
    drag = [e.clientX, e.clientY];
    root.querySelector("input[name=unfold]").checked = false; // fold back to interact, as the original
    redraw();
  });
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    state.distance = Math.max(0.2, Math.min(90, state.distance * Math.exp(e.deltaY * 0.001)));
    redraw();
  });
  root.querySelectorAll("input").forEach((input) => input.addEventListener("change", redraw));
}
