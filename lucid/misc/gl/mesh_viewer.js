// lucid's textured-mesh viewer: WebGL2, no external scripts. `root` is the viewer's element, `data` the mesh
// (base64 typed arrays), its texture (an image data URL) and the background colour. Drag to rotate, wheel to zoom.
function lucidMeshViewer(root, data) {
  const canvas = root.querySelector("canvas");
  const gl = canvas.getContext("webgl2");
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
  gl.attachShader(program, compile(gl.VERTEX_SHADER, `#version 300 es
    in vec3 position; in vec2 uv; in vec3 normal;
    uniform mat4 model; uniform mat4 viewProj; uniform float unfold;
    out vec2 vUv; out vec3 vNormal;
    void main() {
      vec3 p = mix(position, vec3(uv * 2.0 - 1.0, 0.0), unfold);
      gl_Position = viewProj * model * vec4(p, 1.0);
      vUv = uv;
      vNormal = mat3(model) * mix(normal, vec3(0.0, 0.0, 1.0), unfold);
    }`));
  gl.attachShader(program, compile(gl.FRAGMENT_SHADER, `#version 300 es
    precision highp float;
    in vec2 vUv; in vec3 vNormal;
    uniform sampler2D tex; uniform float shade;
    out vec4 color;
    void main() {
      float light = mix(1.0, 0.35 + 0.65 * abs(normalize(vNormal).z), shade);
      color = vec4(texture(tex, vUv).rgb * light, 1.0);
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
  const state = { yaw: 0.5, pitch: 0.3, distance: 3.5, loaded: false };
  const image = new Image();
  image.onload = () => {
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, true); // v = 1 is the top row of the texture image
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, image);
    gl.generateMipmap(gl.TEXTURE_2D);
    state.loaded = true;
    draw();
  };
  image.src = data.texture;

  function multiply(a, b) { // column-major 4x4 matrices
    const out = new Float32Array(16);
    for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += a[k * 4 + r] * b[c * 4 + k];
      out[c * 4 + r] = sum;
    }
    return out;
  }
  function rotation(angle, axis) {
    const c = Math.cos(angle), s = Math.sin(angle), m = new Float32Array(16);
    m[15] = 1;
    if (axis === "x") { m[0] = 1; m[5] = c; m[6] = s; m[9] = -s; m[10] = c; }
    else { m[5] = 1; m[0] = c; m[2] = -s; m[8] = s; m[10] = c; }
    return m;
  }
  function viewProjection() {
    const f = 1 / Math.tan(Math.PI / 8), aspect = canvas.width / canvas.height, near = 0.05, far = 100;
    const m = new Float32Array(16);
    m[0] = f / aspect; m[5] = f; m[10] = (far + near) / (near - far); m[11] = -1;
    m[14] = (2 * far * near) / (near - far) - state.distance * (far + near) / (near - far);
    m[15] = state.distance;
    return m; // perspective * translate(0, 0, -distance)
  }
  const checkbox = (name) => root.querySelector("input[name=" + name + "]").checked ? 1 : 0;
  function draw() {
    if (!state.loaded) return;
    gl.viewport(0, 0, canvas.width, canvas.height);
    gl.clearColor(data.background[0], data.background[1], data.background[2], 1);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    gl.enable(gl.DEPTH_TEST);
    const model = multiply(rotation(state.pitch, "x"), rotation(state.yaw, "y"));
    gl.uniformMatrix4fv(gl.getUniformLocation(program, "model"), false, model);
    gl.uniformMatrix4fv(gl.getUniformLocation(program, "viewProj"), false, viewProjection());
    gl.uniform1f(gl.getUniformLocation(program, "unfold"), checkbox("unfold"));
    gl.uniform1f(gl.getUniformLocation(program, "shade"), checkbox("shade"));
    gl.bindVertexArray(vao);
    gl.drawElements(gl.TRIANGLES, faces.length, gl.UNSIGNED_INT, 0);
  }
  let drag = null;
  canvas.addEventListener("mousedown", (e) => { drag = [e.clientX, e.clientY]; });
  window.addEventListener("mouseup", () => { drag = null; });
  window.addEventListener("mousemove", (e) => {
    if (!drag) return;
    state.yaw += (e.clientX - drag[0]) * 0.01;
    state.pitch = Math.max(-1.5, Math.min(1.5, state.pitch + (e.clientY - drag[1]) * 0.01));
    drag = [e.clientX, e.clientY];
    draw();
  });
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    state.distance = Math.max(1.2, Math.min(20, state.distance * Math.exp(e.deltaY * 0.001)));
    draw();
  });
  root.querySelectorAll("input").forEach((input) => input.addEventListener("change", draw));
}
