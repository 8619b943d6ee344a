// The receiver from Gestly's public docs (docs/gestly-webhooks.pt-BR.md), run as is:
// express.json(), JSON.stringify(req.body), HMAC-SHA256 hex, timingSafeEqual.
// The tests start it with node and read what it accepted from GET /received.
const crypto = require('crypto');
const express = require('express');

function validateSignature(payload, signature, secret) {
  const expected = crypto
    .createHmac('sha256', secret)
    .update(JSON.stringify(payload))
    .digest('hex');

  return crypto.timingSafeEqual(
    Buffer.from(signature),
    Buffer.from(expected)
  );
}

const received = [];
const app = express();

app.post('/webhooks', express.json(), (req, res) => {
  const signature = req.headers['x-webhook-signature'];

  // Validar assinatura
  if (!validateSignature(req.body, signature, process.env.WEBHOOK_SECRET)) {
    return res.status(401).json({ error: 'Invalid signature' });
  }

  const { type, data } = req.body;
  received.push({ id: req.body.id, type, data });
  res.json({ received: true });
});

app.get('/received', (req, res) => res.json(received));

// An invalid signature of another length makes timingSafeEqual throw; express turns
// that into a 500, which Gestly records as a failed attempt. Answer it as the docs'
// 401 would, without the stack trace.
app.use((err, req, res, next) => res.status(401).json({ error: String(err.message) }));

const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
