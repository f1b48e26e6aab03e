#!/usr/bin/env python3
"""Regenerates the bad-input corpus from the first 64 Fashion-MNIST examples (deterministic).
Usage: python3 make-corpus.py [FASHION_MNIST_DIR]   (default /usr/share/datasets/fashion-mnist)"""
import gzip, os, struct, sys, zlib

src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
here = os.path.dirname(os.path.abspath(__file__))
N = 64

def idx(path, n):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    dims = data[3]
    shape = struct.unpack(">" + "I" * (dims - 1), data[8:4 + 4 * dims]) if dims > 1 else ()
    rec = 1
    for d in shape:
        rec *= d
    head = 4 + 4 * dims
    return shape, data[head:head + n * rec]

def write(name, raw, gz=True):
    path = os.path.join(here, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(gzip.compress(raw, mtime=0) if gz else raw)

def images(n, h, w, body):
    return struct.pack(">IIII", 0x00000803, n, h, w) + body

def labels(n, body):
    return struct.pack(">II", 0x00000801, n) + body

(h, w), img = idx(os.path.join(src, "train-images-idx3-ubyte.gz"), N)
_, lab = idx(os.path.join(src, "train-labels-idx1-ubyte.gz"), N)
good_images = images(N, h, w, img)
good_labels = labels(N, lab)
write("valid/images-idx3-ubyte.gz", good_images)
write("valid/labels-idx1-ubyte.gz", good_labels)

whole = gzip.compress(good_images, mtime=0)
write("idx/truncated-images-idx3-ubyte.gz", whole[: len(whole) // 2], gz=False)       # gzip cut in half
write("idx/truncated-plain-images-idx3-ubyte", good_images[: len(good_images) - 100], gz=False)  # plain, short
write("idx/not-gzip-images-idx3-ubyte.gz", b"<html>404 Not Found</html>\n" * 10, gz=False)  # text named .gz
write("idx/garbled-gzip-images-idx3-ubyte.gz", whole[:10] + bytes(b ^ 0x5A for b in whole[10:200]) + whole[200:], gz=False)
write("idx/wrong-magic-images-idx3-ubyte.gz", struct.pack(">I", 0x00000903) + good_images[4:])
write("idx/count-mismatch-labels-idx1-ubyte.gz", labels(N - 1, lab[: N - 1]))
write("idx/out-of-range-labels-idx1-ubyte.gz", labels(N, lab[:10] + bytes([12]) + lab[11:]))
write("idx/wrong-size-images-idx3-ubyte.gz", images(N, 20, 20, bytes(N * 400)))
write("idx/empty-images-idx3-ubyte", b"", gz=False)
write("idx/trailing-bytes-labels-idx1-ubyte.gz", good_labels + b"\x00\x01")

# An image folder with one unreadable file among valid PNGs (written by a tiny PNG encoder).
def png(pixels, size):
    raw = b"".join(b"\x00" + bytes(pixels[r * size:(r + 1) * size]) for r in range(size))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))

for i in range(6):
    cls = ["shirt", "shoe"][lab[i] % 2]
    write(f"folder/train/{cls}/img{i}.png", png(img[i * 784:(i + 1) * 784], 28), gz=False)
write("folder/train/shoe/broken.png", b"\x89PNG\r\n\x1a\n this file was cut off during upload", gz=False)
write("folder/train/shirt/notes.txt", b"not an image", gz=False)
