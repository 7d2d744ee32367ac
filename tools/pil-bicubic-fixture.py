#!/usr/bin/python3
"""Writes the centred-bicubic reference fixture of test/unit/imaging/resize-centred.test.ts.

The expected image is computed by PIL (Debian's python3-pil), independently of Revive's resampler: a real-photo crop
(input.png, cut from Debian plasma-workspace-wallpapers FallenLeaf 2560x1600.jpg) enlarged x4 with Image.BICUBIC, the resize OSEDiff's reference
inference applies to its input. Run from the repository root:  /usr/bin/python3 tools/pil-bicubic-fixture.py
"""
import PIL
from PIL import Image

OUT = "test/fixtures/pil-bicubic"
# A detailed region of the sample photo (the region of strongest edges, from a scan of 96x64 boxes), small enough to commit.
BOX = (2112, 704, 2208, 768)
SCALE = 4

src = Image.open("/usr/share/wallpapers/FallenLeaf/contents/images/2560x1600.jpg").convert("RGB").crop(BOX)
src.save(f"{OUT}/input.png", optimize=True)
up = src.resize((src.width * SCALE, src.height * SCALE), Image.BICUBIC)
up.save(f"{OUT}/expected-x4.png", optimize=True)
print(f"PIL {PIL.__version__}: {src.size} -> {up.size} written to {OUT}")
