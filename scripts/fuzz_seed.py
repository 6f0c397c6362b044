"""Register a fresh fuzzing user with three photos on a running Shoebox; print their access token."""

import io
import secrets
import sys

import requests
from PIL import Image

base = sys.argv[1]
email = f"fuzz-{secrets.token_hex(4)}@example.com"
reply = requests.post(f"{base}/api/auth/register", json={"email": email, "password": "a fuzzing passphrase 2026"},
                      timeout=30)
reply.raise_for_status()
token = reply.json()["access_token"]
files = []
for index, colour in enumerate(["red", "green", "blue"]):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    files.append(("files", (f"photo{index}.jpg", buffer.getvalue(), "image/jpeg")))
requests.post(f"{base}/api/photos", files=files, headers={"Authorization": f"Bearer {token}"},
              timeout=60).raise_for_status()
print(token)
