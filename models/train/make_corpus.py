#!/usr/bin/python3
"""Build the VQ-VAE training / held-out corpus from photographs shipped in Debian packages.

Sources (photographs only; drawn/rendered wallpapers and synthetic test images are skipped):
  plasma-workspace-wallpapers  /usr/share/wallpapers/<Name>/contents/images/<largest>
  lomiri-wallpapers(-16.04/-20.04)  /usr/share/backgrounds/*_by_*.jpg (photo subset)
  mate-backgrounds             /usr/share/backgrounds/mate/nature/*.jpg
  opencv-doc                   /usr/share/doc/opencv-doc/examples/data/*.jpg|png (photo subset)
Missing packages are installed with apt-get (root) unless --no-install.

Whole source photos are held out for evaluation (about 10 % of the photo groups, at least one
per package, chosen with a fixed seed; near-duplicate pairs such as stereo/flow frames form one
group so that no held-out scene leaks into training).

Training images: each training photo is downscaled with area interpolation so that its short side
is each of --scales (never upscaled; a photo whose short side is below 256 is used at its own
size if >= 256 on both sides, else skipped), then cut into a centred grid of non-overlapping
256x256 tiles; near-flat tiles (grey std < 1) are dropped.  Written as PNG to OUT/train/.
Held-out images: each held-out photo downscaled (area) so the long side is <= 512, then cropped
to multiples of 8 (VQ-VAE-2 size constraint); written to OUT/heldout/.
OUT/manifest.json records everything.  Deterministic.
"""
import argparse
import glob
import hashlib
import json
import os
import random
import subprocess
import sys

import cv2

HERE = os.path.dirname(os.path.abspath(__file__))

PLASMA_PHOTOS = ["BytheWater", "ColdRipple", "ColorfulCups", "DarkestHour", "EveningGlow",
                 "FallenLeaf", "Grey", "Kite", "OneStandsOut", "Path", "summer_1am"]
LOMIRI_PHOTOS = ["Bridge_by_Sander_Klootwijk.jpg", "Dragonfly_by_Bolly.jpg",
                 "Picture_0B_by_freespace.jpg", "Picture_1A_by_freespace.jpg",
                 "Wine_by_Jakkub_Mede.jpg", "aitzgorri_by_Aitzol_Berasategi.jpg",
                 "analogpattern_by_Peter_Nerlich.jpg", "free_by_Peter_Nerlich.jpg",
                 "friends_by_Aitzol_Berasategi.jpg", "greentock_by_Peter_Nerlich.jpg",
                 "life_by_Aitzol_Berasategi.jpg", "picosdeeuropa_by_Aitzol_Berasategi.jpg",
                 "seeding_by_Clements_Engelhardt.jpg", "sunset_by_Aitzol_Berasategi.jpg",
                 "umang_by_Abhishek_Mudgal.jpg", "Kleiber_by_Lukas_Baubkus.jpg"]
# opencv-doc colour photographs; tuples are near-duplicate groups
OPENCV_PHOTOS = [("aero1.jpg", "aero3.jpg"), ("apple.jpg",), ("baboon.jpg",), ("board.jpg",),
                 ("building.jpg",), ("butterfly.jpg",), ("fruits.jpg",), ("home.jpg",),
                 ("leuvenA.jpg", "leuvenB.jpg"), ("messi5.jpg",), ("orange.jpg",),
                 ("rubberwhale1.png", "rubberwhale2.png"), ("smarties.png",),
                 ("graf1.png", "graf3.png"), ("squirrel_cls.jpg",), ("stuff.jpg",),
                 ("ela_original.jpg",), ("aloeL.jpg",), ("left.jpg", "right.jpg")]

PACKAGES = {"plasma": ["plasma-workspace-wallpapers"],
            "lomiri": ["lomiri-wallpapers-16.04", "lomiri-wallpapers-20.04"],
            "mate": ["mate-backgrounds"],
            "opencv": ["opencv-doc"]}
OPENCV_DIR = "/usr/share/doc/opencv-doc/examples/data"


def installed(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
    return r.returncode == 0 and "install ok installed" in r.stdout


def ensure_packages(allow_install):
    missing = [p for ps in PACKAGES.values() for p in ps if not installed(p)]
    if missing and allow_install:
        print("installing:", " ".join(missing), flush=True)
        r = subprocess.run(["apt-get", "install", "-y"] + missing,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            subprocess.run(["apt-get", "update"], stdout=subprocess.DEVNULL)
            subprocess.run(["apt-get", "install", "-y"] + missing, stdout=subprocess.DEVNULL)
    return [p for p in missing if not installed(p)]


def largest(paths):
    return max(paths, key=lambda p: (os.path.getsize(p), p))


def collect_groups():
    """List of groups; a group = {'source', 'name', 'files': [paths]}."""
    groups = []
    for name in PLASMA_PHOTOS:
        fs = glob.glob(f"/usr/share/wallpapers/{name}/contents/images/*.jpg") + \
             glob.glob(f"/usr/share/wallpapers/{name}/contents/images/*.png")
        if fs:
            groups.append({"source": "plasma-workspace-wallpapers", "name": name,
                           "files": [largest(fs)]})
    for fn in LOMIRI_PHOTOS:
        p = os.path.join("/usr/share/backgrounds", fn)
        if os.path.exists(p):
            groups.append({"source": "lomiri-wallpapers", "name": os.path.splitext(fn)[0],
                           "files": [p]})
    for p in sorted(glob.glob("/usr/share/backgrounds/mate/nature/*.jpg")):
        groups.append({"source": "mate-backgrounds", "name": os.path.splitext(os.path.basename(p))[0],
                       "files": [p]})
    for grp in OPENCV_PHOTOS:
        fs = [os.path.join(OPENCV_DIR, f) for f in grp if os.path.exists(os.path.join(OPENCV_DIR, f))]
        if fs:
            groups.append({"source": "opencv-doc",
                           "name": "+".join(os.path.splitext(os.path.basename(f))[0] for f in fs),
                           "files": fs})
    return groups


def choose_heldout(groups, frac, seed):
    rng = random.Random(seed)
    held = set()
    by_src = {}
    for i, g in enumerate(groups):
        by_src.setdefault(g["source"], []).append(i)
    for src in sorted(by_src):
        idx = by_src[src]
        k = max(1, int(round(frac * len(idx))))
        held.update(rng.sample(idx, k))
    return held


def area_resize(img, w, h):
    return cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)


def tiles_of(img, tile):
    h, w = img.shape[:2]
    ny, nx = h // tile, w // tile
    oy, ox = (h - ny * tile) // 2, (w - nx * tile) // 2
    for j in range(ny):
        for i in range(nx):
            yield j, i, img[oy + j * tile: oy + (j + 1) * tile, ox + i * tile: ox + (i + 1) * tile]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(HERE, "corpus"))
    ap.add_argument("--tile", type=int, default=256)
    ap.add_argument("--scales", default="256,384,512,768,1024",
                    help="short-side lengths the photos are area-downscaled to before tiling")
    ap.add_argument("--heldout-frac", type=float, default=0.10)
    ap.add_argument("--heldout-long-side", type=int, default=512)
    ap.add_argument("--seed", type=int, default=20240)
    ap.add_argument("--min-std", type=float, default=1.0)
    ap.add_argument("--no-install", action="store_true")
    args = ap.parse_args()

    still_missing = ensure_packages(not args.no_install)
    if still_missing:
        print("warning: packages not available:", " ".join(still_missing), file=sys.stderr)
    groups = collect_groups()
    if not groups:
        sys.exit("no source photos found")
    held = choose_heldout(groups, args.heldout_frac, args.seed)
    scales = [int(s) for s in args.scales.split(",")]
    T = args.tile

    tdir = os.path.join(args.out, "train")
    hdir = os.path.join(args.out, "heldout")
    for d in (tdir, hdir):
        os.makedirs(d, exist_ok=True)
        for f in glob.glob(os.path.join(d, "*.png")):
            os.remove(f)

    manifest = {"tile": T, "scales": scales, "seed": args.seed, "heldout_frac": args.heldout_frac,
                "interpolation": "cv2.INTER_AREA", "photos": [], "train_images": 0,
                "heldout_images": 0}
    n_train = n_flat = 0
    for gi, g in enumerate(groups):
        is_held = gi in held
        for path in g["files"]:
            img = cv2.imread(path, cv2.IMREAD_COLOR)
            if img is None:
                print("skip unreadable", path, file=sys.stderr)
                continue
            h, w = img.shape[:2]
            stem = os.path.splitext(os.path.basename(path))[0]
            if g["source"] == "plasma-workspace-wallpapers":
                stem = g["name"]
            tag = f"{g['source'].split('-')[0]}_{stem}".replace(" ", "_")
            entry = {"source": g["source"], "group": g["name"], "path": path, "size": [w, h],
                     "sha256": hashlib.sha256(open(path, "rb").read()).hexdigest(),
                     "split": "heldout" if is_held else "train"}
            if is_held:
                s = min(1.0, args.heldout_long_side / max(w, h))
                nw, nh = int(round(w * s)), int(round(h * s))
                im = area_resize(img, nw, nh) if s < 1 else img
                cw, ch = nw // 8 * 8, nh // 8 * 8
                oy, ox = (nh - ch) // 2, (nw - cw) // 2
                im = im[oy:oy + ch, ox:ox + cw]
                fn = f"{tag}.png"
                cv2.imwrite(os.path.join(hdir, fn), im)
                entry["heldout_file"] = fn
                entry["heldout_size"] = [cw, ch]
                manifest["heldout_images"] += 1
            else:
                short = min(w, h)
                cnt = 0
                for sc in scales:
                    if sc > short:
                        continue
                    f = sc / short
                    nw, nh = max(T, int(round(w * f))), max(T, int(round(h * f)))
                    im = area_resize(img, nw, nh) if (nw, nh) != (w, h) else img
                    for j, i, t in tiles_of(im, T):
                        if cv2.cvtColor(t, cv2.COLOR_BGR2GRAY).std() < args.min_std:
                            n_flat += 1
                            continue
                        cv2.imwrite(os.path.join(tdir, f"{tag}_s{sc}_{j}_{i}.png"), t)
                        cnt += 1
                if short < scales[0] and min(w, h) >= T:
                    for j, i, t in tiles_of(img, T):
                        cv2.imwrite(os.path.join(tdir, f"{tag}_s{short}_{j}_{i}.png"), t)
                        cnt += 1
                entry["train_tiles"] = cnt
                n_train += cnt
            manifest["photos"].append(entry)
    manifest["train_images"] = n_train
    manifest["flat_tiles_dropped"] = n_flat
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)

    by_src = {}
    for e in manifest["photos"]:
        d = by_src.setdefault(e["source"], {"train_photos": 0, "heldout_photos": 0, "train_tiles": 0})
        d[e["split"] + "_photos"] += 1
        d["train_tiles"] += e.get("train_tiles", 0)
    for src, d in sorted(by_src.items()):
        print(f"{src:30s} train photos {d['train_photos']:3d}  held-out photos {d['heldout_photos']:2d}"
              f"  train tiles {d['train_tiles']:5d}")
    print(f"total: {len(manifest['photos'])} photos in {len(groups)} groups; "
          f"{n_train} training {T}x{T} images, {manifest['heldout_images']} held-out images "
          f"({n_flat} flat tiles dropped) -> {args.out}")
    print("held out:", ", ".join(e["group"] for e in manifest["photos"] if e["split"] == "heldout"))


if __name__ == "__main__":
    main()
