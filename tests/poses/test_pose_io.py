"""Pose file import/export: every accepted layout, the real golftracker CSVs, rejections, fuzz."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from analysis.engine.pose import LANDMARK_INDEX, LANDMARK_NAMES
from analysis.engine.pose_io import (
    COCO17_NAMES,
    OPENPOSE_BODY25_NAMES,
    OPENPOSE_COCO18_NAMES,
    PoseFile,
    PoseFileError,
    export_pose_csv,
    export_pose_json,
    load_pose_file,
)
from tests.conftest import SHARED_DATA

DATA = SHARED_DATA / "golftracker"

# A standing golfer at address, normalized (x, y); z and visibility are added per frame.
_STANDING = {
    "nose": (0.50, 0.20),
    "left_eye_inner": (0.51, 0.19),
    "left_eye": (0.52, 0.19),
    "left_eye_outer": (0.53, 0.19),
    "right_eye_inner": (0.49, 0.19),
    "right_eye": (0.48, 0.19),
    "right_eye_outer": (0.47, 0.19),
    "left_ear": (0.54, 0.20),
    "right_ear": (0.46, 0.20),
    "mouth_left": (0.51, 0.22),
    "mouth_right": (0.49, 0.22),
    "left_shoulder": (0.58, 0.30),
    "right_shoulder": (0.42, 0.30),
    "left_elbow": (0.60, 0.42),
    "right_elbow": (0.40, 0.42),
    "left_wrist": (0.53, 0.52),
    "right_wrist": (0.47, 0.52),
    "left_pinky": (0.53, 0.54),
    "right_pinky": (0.47, 0.54),
    "left_index": (0.52, 0.54),
    "right_index": (0.48, 0.54),
    "left_thumb": (0.52, 0.53),
    "right_thumb": (0.48, 0.53),
    "left_hip": (0.55, 0.56),
    "right_hip": (0.45, 0.56),
    "left_knee": (0.56, 0.73),
    "right_knee": (0.44, 0.73),
    "left_ankle": (0.57, 0.90),
    "right_ankle": (0.43, 0.90),
    "left_heel": (0.56, 0.92),
    "right_heel": (0.44, 0.92),
    "left_foot_index": (0.60, 0.93),
    "right_foot_index": (0.40, 0.93),
}


def swing_poses(n_frames: int = 12, seed: int = 0) -> np.ndarray:
    """(n, 33, 4) float32 poses of a golfer swaying a little, as MediaPipe would report them."""
    rng = np.random.default_rng(seed)
    base = np.array([_STANDING[name] for name in LANDMARK_NAMES])
    t = np.linspace(0, 1, n_frames)[:, None]
    kp = np.empty((n_frames, 33, 4), dtype=np.float32)
    kp[..., 0] = base[:, 0] + 0.03 * np.sin(2 * np.pi * t) + rng.normal(0, 0.002, (n_frames, 33))
    kp[..., 1] = base[:, 1] + rng.normal(0, 0.002, (n_frames, 33))
    kp[..., 2] = rng.normal(0, 0.2, (n_frames, 33))
    kp[..., 3] = rng.uniform(0.5, 1.0, (n_frames, 33))
    return kp


def load(text: str | bytes, filename: str = "", **size) -> PoseFile:
    data = text.encode() if isinstance(text, str) else text
    return load_pose_file(data, filename, **size)


def rejects(text: str | bytes, *fragments: str, filename: str = "", **size) -> str:
    with pytest.raises(PoseFileError) as info:
        load(text, filename, **size)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def to_csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def fmt(v: float) -> str:
    return "" if np.isnan(v) else repr(float(v))


def assert_poses_equal(actual: np.ndarray, expected: np.ndarray, atol: float = 1e-6) -> None:
    assert actual.shape == expected.shape
    assert actual.dtype == np.float32
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected))
    np.testing.assert_allclose(actual, expected, atol=atol, rtol=0)


# ---------------------------------------------------------------------------------------------
# Real files


def test_golftracker_labelled_csv_imports() -> None:
    pose_file = load_pose_file((DATA / "label_golf_poses.csv").read_bytes(), "label.csv")
    kp = pose_file.keypoints
    assert kp.shape == (277, 33, 4) and kp.dtype == np.float32
    assert pose_file.source_format == "mediapipe-csv"
    assert pose_file.fps is None and pose_file.width is None
    np.testing.assert_array_equal(pose_file.frame_numbers, np.arange(277))
    assert not np.isnan(kp).any()
    assert ((kp[..., 3] >= 0) & (kp[..., 3] <= 1)).all()
    labels = pose_file.labels
    assert labels is not None and len(labels) == 277
    assert {lab: labels.count(lab) for lab in set(labels)} == {
        "RhStart": 151,
        "RhTop": 90,
        "RhFinish": 36,
    }
    # 1-based columns: x1 is the nose, x24/x25 the hips. The head is above the hips.
    assert kp[0, 0, 0] == pytest.approx(0.458342999)
    hips_y = kp[:, [23, 24], 1].mean(axis=1)
    assert (kp[:, 0, 1] < hips_y).mean() > 0.95
    # The hands are low at address and high at the top of the backswing.
    wrists_y = kp[:, [15, 16], 1].mean(axis=1)
    by_label = {lab: wrists_y[[x == lab for x in labels]].mean() for lab in set(labels)}
    assert by_label["RhTop"] < by_label["RhStart"] - 0.1


def test_golftracker_second_csv_imports() -> None:
    pose_file = load_pose_file((DATA / "test2.csv").read_bytes(), "test2.csv")
    assert pose_file.keypoints.shape == (152, 33, 4)
    assert pose_file.labels is not None
    assert {lab: pose_file.labels.count(lab) for lab in set(pose_file.labels)} == {
        "RhStart": 74,
        "RhTop": 42,
        "RhFinish": 36,
    }


def test_golftracker_malformed_csv_is_rejected_naming_the_mismatch() -> None:
    with pytest.raises(PoseFileError) as info:
        load_pose_file((DATA / "test1.csv").read_bytes(), "test1.csv")
    message = str(info.value)
    assert message.startswith("line 2: expected 33 values")
    assert "header has 33 columns" in message and "found 66" in message


# ---------------------------------------------------------------------------------------------
# MediaPipe CSV layouts


def test_wide_zero_based_csv_with_frame_and_time_columns_places_rows_by_frame() -> None:
    kp = swing_poses(5)
    frames = [0, 1, 2, 4, 6]  # a capture script that dropped frames 3 and 5
    header = ["frame", "timestamp_ms"] + [f"{c}{i}" for i in range(33) for c in "xyzv"]
    rows = [
        [f, f"{f * 1000 / 30:.3f}", *(fmt(v) for v in kp[k].ravel())] for k, f in enumerate(frames)
    ]
    pose_file = load(to_csv(header, rows), "poses.csv")
    assert pose_file.keypoints.shape == (7, 33, 4)
    np.testing.assert_array_equal(pose_file.frame_numbers, frames)
    assert np.isnan(pose_file.keypoints[[3, 5]]).all()
    assert_poses_equal(pose_file.keypoints[frames], kp)
    assert pose_file.fps == pytest.approx(30, rel=1e-4)
    assert pose_file.labels is None


def test_wide_csv_without_z_and_visibility_gets_defaults() -> None:
    kp = swing_poses(3)
    header = [f"{c}{i}" for i in range(1, 34) for c in "xy"]
    rows = [[fmt(v) for v in kp[k, :, :2].ravel()] for k in range(3)]
    pose_file = load(to_csv(header, rows))
    np.testing.assert_allclose(pose_file.keypoints[..., :2], kp[..., :2], atol=1e-6)
    assert (pose_file.keypoints[..., 2] == 0).all()
    assert (pose_file.keypoints[..., 3] == 1).all()


def test_named_columns_with_empty_cells_for_missing_landmarks() -> None:
    # pandas.DataFrame.to_csv of per-landmark columns writes NaN as an empty cell.
    kp = swing_poses(4)
    kp[1, LANDMARK_INDEX["left_wrist"]] = np.nan
    kp[2] = np.nan  # no person in frame 2
    header = ["frame", "time"] + [
        f"{name}_{ch}" for name in LANDMARK_NAMES for ch in ("x", "y", "z", "visibility")
    ]
    rows = [[k, k / 25, *(fmt(v) for v in kp[k].ravel())] for k in range(4)]
    pose_file = load(to_csv(header, rows), "landmarks.csv")
    assert pose_file.source_format == "mediapipe-csv-named"
    assert_poses_equal(pose_file.keypoints, kp)
    assert pose_file.fps == pytest.approx(25)


def test_named_columns_accept_other_spellings_and_a_subset_of_landmarks() -> None:
    header = ["Frame", "NOSE.X", "NOSE.Y", "leftShoulder_x", "leftShoulder_y", "leftShoulder_score"]
    pose_file = load(to_csv(header, [[0, 0.5, 0.2, 0.6, 0.3, 0.9], [1, 0.51, 0.21, 0.6, 0.3, 0.8]]))
    kp = pose_file.keypoints
    assert kp.shape == (2, 33, 4)
    np.testing.assert_allclose(
        kp[1, LANDMARK_INDEX["left_shoulder"]], [0.6, 0.3, 0, 0.8], atol=1e-6
    )
    np.testing.assert_allclose(kp[0, 0], [0.5, 0.2, 0, 1.0], atol=1e-6)
    assert np.isnan(kp[:, LANDMARK_INDEX["right_hip"]]).all()


def test_long_csv_with_landmark_indices_semicolons_and_a_bom() -> None:
    text = (
        "\ufeff"
        "frame;landmark;x;y;z;visibility\n0;0;0.5;0.2;-0.1;0.99\n0;11;0.58;0.3;0.0;0.9\n2;0;0.52;0.21;-0.1;0.98\n"
    )
    pose_file = load(text)
    assert pose_file.source_format == "pose-csv-long"
    kp = pose_file.keypoints
    assert kp.shape == (3, 33, 4)
    np.testing.assert_array_equal(pose_file.frame_numbers, [0, 2])
    np.testing.assert_allclose(kp[0, 11], [0.58, 0.3, 0.0, 0.9], atol=1e-6)
    assert np.isnan(kp[1]).all() and np.isnan(kp[0, 1]).all()


def test_utf16_csv_as_excel_saves_it() -> None:
    text = "frame\tlandmark\tx\ty\n0\tnose\t0.5\t0.2\n"
    pose_file = load(text.encode("utf-16"))
    np.testing.assert_allclose(pose_file.keypoints[0, 0], [0.5, 0.2, 0, 1], atol=1e-6)


def test_pixel_csv_needs_the_frame_size_and_is_normalized_with_it() -> None:
    header = ["frame", "landmark", "x", "y", "z", "visibility"]
    rows = [[0, "nose", 320, 120, -64, 0.9], [0, "left_hip", 340, 400, 6.4, 0.8]]
    text = to_csv(header, rows)
    rejects(text, "pixels", "width and height")
    pose_file = load(text, width=640, height=480)
    np.testing.assert_allclose(pose_file.keypoints[0, 0], [0.5, 0.25, -0.1, 0.9], atol=1e-6)
    assert (pose_file.width, pose_file.height) == (640, 480)
    # A script that scaled x and y to pixels but kept MediaPipe's z: z stays as it was.
    rows = [[0, "nose", 320, 120, -0.25, 0.9], [0, "left_hip", 340, 400, 0.02, 0.8]]
    pose_file = load(to_csv(header, rows), width=640, height=480)
    np.testing.assert_allclose(pose_file.keypoints[0, 0], [0.5, 0.25, -0.25, 0.9], atol=1e-6)


# ---------------------------------------------------------------------------------------------
# MediaPipe JSON layouts


def mp_landmarks(pose: np.ndarray) -> list[dict | None]:
    return [
        None
        if np.isnan(x)
        else {"x": float(x), "y": float(y), "z": float(z), "visibility": float(v)}
        for x, y, z, v in pose
    ]


def test_mediapipe_json_object_with_fps_and_frames() -> None:
    kp = swing_poses(4)
    doc = {
        "fps": 59.94,
        "width": 1080,
        "height": 1920,
        "frames": [{"frame": 10 + i, "landmarks": mp_landmarks(kp[i])} for i in range(3)]
        + [{"frame": 13, "landmarks": []}],
    }
    pose_file = load(json.dumps(doc), "clip.json")
    assert pose_file.source_format == "mediapipe-json"
    assert pose_file.fps == 59.94 and (pose_file.width, pose_file.height) == (1080, 1920)
    assert pose_file.keypoints.shape == (14, 33, 4)
    np.testing.assert_array_equal(pose_file.frame_numbers, [10, 11, 12, 13])
    assert_poses_equal(pose_file.keypoints[10:13], kp[:3])
    assert np.isnan(pose_file.keypoints[:10]).all() and np.isnan(pose_file.keypoints[13]).all()


def test_mediapipe_tasks_layout_picks_the_most_visible_person() -> None:
    # PoseLandmarker results as the JS/Python Tasks API serialise them, with presence and world
    # landmarks; the second frame has two people, the third none.
    kp = swing_poses(3)
    faint = kp[1].copy()
    faint[:, 3] = 0.1

    def tasks(pose: np.ndarray) -> list[dict]:
        return [
            {"x": float(x), "y": float(y), "z": float(z), "visibility": float(v), "presence": 0.99}
            for x, y, z, v in pose
        ]

    frames = [
        {"timestampMs": 0, "landmarks": [tasks(kp[0])], "worldLandmarks": [tasks(kp[0] * 0)]},
        {"timestampMs": 40, "landmarks": [tasks(faint), tasks(kp[1])], "worldLandmarks": []},
        {"timestampMs": 80, "landmarks": [], "worldLandmarks": []},
    ]
    pose_file = load(json.dumps(frames))
    assert pose_file.fps == pytest.approx(25)
    assert_poses_equal(pose_file.keypoints[:2], kp[:2])
    assert np.isnan(pose_file.keypoints[2]).all()


def test_mediapipe_solutions_protobuf_dicts_and_js_pose_landmarks() -> None:
    kp = swing_poses(2)
    # google.protobuf.json_format.MessageToDict(results.pose_landmarks) per frame
    legacy = [{"pose_landmarks": {"landmark": mp_landmarks(kp[i])}} for i in range(2)]
    assert_poses_equal(load(json.dumps(legacy)).keypoints, kp)
    # JS @mediapipe/pose onResults: results.poseLandmarks, recorded per frame
    js = {"frameRate": 30, "frames": [{"poseLandmarks": mp_landmarks(kp[i])} for i in range(2)]}
    pose_file = load(json.dumps(js))
    assert pose_file.fps == 30
    assert_poses_equal(pose_file.keypoints, kp)
    # A single frame: just the 33 landmarks
    assert_poses_equal(load(json.dumps(mp_landmarks(kp[0]))).keypoints, kp[:1])


def test_tfjs_blazepose_keypoints_by_name_in_pixels() -> None:
    keypoints = [
        {"x": 320.0, "y": 96.0, "z": -32.0, "score": 0.95, "name": "nose"},
        {"x": 380.0, "y": 150.0, "z": 0.0, "score": 0.9, "name": "left_shoulder"},
    ]
    doc = {"width": 640, "height": 480, "frames": [{"keypoints": keypoints}]}
    kp = load(json.dumps(doc)).keypoints
    np.testing.assert_allclose(kp[0, 0], [0.5, 0.2, -0.05, 0.95], atol=1e-6)
    np.testing.assert_allclose(kp[0, 11], [380 / 640, 150 / 480, 0, 0.9], atol=1e-6)
    assert np.isnan(kp[0, 12]).all()


# ---------------------------------------------------------------------------------------------
# COCO-17


def coco_keypoints(pose: np.ndarray, width: int, height: int, flags: bool) -> list[float]:
    out: list[float] = []
    for name in COCO17_NAMES:
        x, y, _, v = pose[LANDMARK_INDEX[name]]
        if np.isnan(x):
            out += [0, 0, 0]
        elif flags:
            out += [round(float(x) * width), round(float(y) * height), 2]
        else:
            out += [float(x) * width, float(y) * height, float(v)]
    return out


def test_coco_results_list_keeps_the_best_detection_per_frame() -> None:
    # mmpose/detectron2 results: one entry per detected person, keypoint scores as the third value.
    kp = swing_poses(3)
    kp[2, LANDMARK_INDEX["left_ankle"]] = np.nan
    results = []
    for i in range(3):
        results.append(
            {
                "image_id": i,
                "category_id": 1,
                "keypoints": coco_keypoints(kp[i], 1280, 720, False),
                "score": 0.93,
            }
        )
    bystander = coco_keypoints(swing_poses(1, seed=9)[0], 1280, 720, False)
    results.append({"image_id": 1, "category_id": 1, "keypoints": bystander, "score": 0.41})
    text = json.dumps(results)
    rejects(text, "pixels", "width and height")
    pose_file = load(text, width=1280, height=720)
    assert pose_file.source_format == "coco17-json"
    coco_idx = [LANDMARK_INDEX[name] for name in COCO17_NAMES]
    np.testing.assert_allclose(pose_file.keypoints[:, coco_idx, :2], kp[:, coco_idx, :2], atol=1e-5)
    np.testing.assert_allclose(pose_file.keypoints[:2, coco_idx, 3], kp[:2, coco_idx, 3], atol=1e-6)
    assert (pose_file.keypoints[:2, coco_idx, 2] == 0).all()
    assert np.isnan(pose_file.keypoints[2, LANDMARK_INDEX["left_ankle"]]).all()
    others = [i for i in range(33) if i not in coco_idx]
    assert np.isnan(pose_file.keypoints[:, others]).all()


def test_coco_results_with_flags_take_the_detection_score_as_confidence() -> None:
    # Some exporters write 1 for every found keypoint in results; that is not "hidden".
    kps = [320, 96, 1] + [0, 0, 0] * 16
    text = json.dumps([{"frame": 3, "keypoints": kps, "score": 0.8}])
    pose_file = load(text, width=640, height=480)
    assert pose_file.keypoints.shape == (4, 33, 4)
    np.testing.assert_allclose(pose_file.keypoints[3, 0], [0.5, 0.2, 0, 0.8], atol=1e-6)
    assert np.isnan(pose_file.keypoints[3, 1:]).all()


def test_coco_annotation_file_takes_size_from_images_and_maps_visibility_flags() -> None:
    kp = swing_poses(2)
    kps0 = coco_keypoints(kp[0], 1920, 1080, True)
    kps0[3 * COCO17_NAMES.index("right_wrist") + 2] = 1  # labelled, hidden behind the body
    doc = {
        "images": [
            {"id": 397, "file_name": "swing_0001.jpg", "width": 1920, "height": 1080},
            {"id": 398, "file_name": "swing_0002.jpg", "width": 1920, "height": 1080},
            {"id": 399, "file_name": "swing_0003.jpg", "width": 1920, "height": 1080},
        ],
        "annotations": [
            {"id": 1, "image_id": 397, "category_id": 1, "num_keypoints": 17, "keypoints": kps0},
            {"id": 2, "image_id": 398, "category_id": 1, "num_keypoints": 17,
             "keypoints": coco_keypoints(kp[1], 1920, 1080, True)},
        ],
        "categories": [{"id": 1, "name": "person", "keypoints": list(COCO17_NAMES)}],
    }  # fmt: skip
    pose_file = load(json.dumps(doc))
    assert (pose_file.width, pose_file.height) == (1920, 1080)
    assert pose_file.keypoints.shape == (3, 33, 4)  # the third image has no person
    np.testing.assert_array_equal(pose_file.frame_numbers, [0, 1, 2])
    assert np.isnan(pose_file.keypoints[2]).all()
    np.testing.assert_allclose(pose_file.keypoints[0, 0, :2], kp[0, 0, :2], atol=1e-3)
    assert pose_file.keypoints[0, LANDMARK_INDEX["nose"], 3] == 1.0
    assert pose_file.keypoints[0, LANDMARK_INDEX["right_wrist"], 3] == 0.5


# ---------------------------------------------------------------------------------------------
# OpenPose


def openpose_person(pose: np.ndarray, names: tuple[str | None, ...], w: int, h: int) -> dict:
    flat: list[float] = []
    for name in names:
        if name is None or np.isnan(pose[LANDMARK_INDEX[name], 0]):
            # a neck / mid-hip we do not model gets an arbitrary position; missing joints 0,0,0
            flat += [0.0, 0.0, 0.0] if name is not None else [0.5 * w, 0.4 * h, 0.8]
        else:
            x, y, _, c = pose[LANDMARK_INDEX[name]]
            flat += [float(x) * w, float(y) * h, float(c)]
    return {
        "person_id": [-1],
        "pose_keypoints_2d": flat,
        "face_keypoints_2d": [],
        "hand_left_keypoints_2d": [],
        "hand_right_keypoints_2d": [],
        "pose_keypoints_3d": [],
    }


def test_openpose_body25_frame_file_picks_the_most_confident_person() -> None:
    kp = swing_poses(1)
    kp[0, LANDMARK_INDEX["right_knee"]] = np.nan
    spectator = swing_poses(1, seed=3)[0]
    spectator[:, 3] = 0.2
    doc = {
        "version": 1.3,
        "people": [
            openpose_person(spectator, OPENPOSE_BODY25_NAMES, 1920, 1080),
            openpose_person(kp[0], OPENPOSE_BODY25_NAMES, 1920, 1080),
        ],
    }
    text = json.dumps(doc)
    rejects(text, "pixels")
    pose_file = load(text, "swing_000000000000_keypoints.json", width=1920, height=1080)
    assert pose_file.source_format == "openpose-body25-json"
    got = pose_file.keypoints[0]
    for name in filter(None, OPENPOSE_BODY25_NAMES):
        j = LANDMARK_INDEX[name]
        if name == "right_knee":
            assert np.isnan(got[j]).all()
        else:
            np.testing.assert_allclose(got[j, [0, 1, 3]], kp[0, j, [0, 1, 3]], atol=1e-5)
    assert np.isnan(got[LANDMARK_INDEX["left_pinky"]]).all()


def test_openpose_coco18_frames_list_with_an_empty_frame() -> None:
    kp = swing_poses(3)
    frames = [
        {"version": 1.2, "people": [openpose_person(kp[0], OPENPOSE_COCO18_NAMES, 640, 480)]},
        {"version": 1.2, "people": []},
        {"version": 1.2, "people": [openpose_person(kp[2], OPENPOSE_COCO18_NAMES, 640, 480)]},
    ]
    pose_file = load(json.dumps({"fps": 30, "width": 640, "height": 480, "frames": frames}))
    assert pose_file.source_format == "openpose-coco18-json"
    assert pose_file.fps == 30
    assert np.isnan(pose_file.keypoints[1]).all()
    j = LANDMARK_INDEX["left_ankle"]
    np.testing.assert_allclose(pose_file.keypoints[2, j, :2], kp[2, j, :2], atol=1e-5)
    assert np.isnan(pose_file.keypoints[0, LANDMARK_INDEX["left_heel"]]).all()


# ---------------------------------------------------------------------------------------------
# Rejections: each names the line or field


def _wide_header() -> list[str]:
    return ["class"] + [f"{c}{i}" for i in range(1, 34) for c in "xyzv"]


def _wide_rows(n: int = 3) -> list[list]:
    return [["RhStart", *(fmt(v) for v in pose.ravel())] for pose in swing_poses(n)]


def _wide_with(r: int, c: int, value: str) -> str:
    rows = _wide_rows()
    rows[r][c] = value
    return to_csv(_wide_header(), rows)


def _mp_json_with(frame: int, landmark: int, field: str, value) -> str:
    doc = {
        "frames": [{"frame": i, "landmarks": mp_landmarks(p)} for i, p in enumerate(swing_poses(4))]
    }
    doc["frames"][frame]["landmarks"][landmark][field] = value
    return json.dumps(doc)


def _long(rows: str) -> str:
    return "frame,time_ms,landmark,x,y,z,visibility\n" + rows


CSV_REJECTIONS = [
    ("empty", "", ["empty"]),
    ("blank", "  \n\n", ["empty"]),
    ("header only", "frame,landmark,x,y\n", ["no data rows"]),
    ("no header", "0.5,0.2,0.1\n0.4,0.3,0.2\n", ["no header row", "line 1"]),
    ("short row", to_csv(_wide_header(), _wide_rows()) + "RhTop,0.5,0.5\n", ["line 5: expected 133 values", "found 3"]),
    ("not a number", _wide_with(1, 5, "abc"), ["line 3, column 'x2'", "'abc' is not a number"]),
    ("nan string", _wide_with(0, 1, "nan"), ["line 2, column 'x1'", "'nan' is not allowed"]),
    ("inf string", _wide_with(2, 3, "-inf"), ["line 4, column 'z1'", "not allowed"]),
    ("huge number", _wide_with(0, 2, "1e999"), ["line 2, column 'y1'", "out of range"]),
    ("x without y", _wide_with(0, 2, ""), ["line 2, column 'x1'", "has 'x' but no 'y'"]),
    ("visibility > 1", _wide_with(1, 4, "1.7"), ["line 3, column 'v1'", "outside 0..1"]),
    ("missing z", _wide_with(1, 3, ""), ["line 3, column 'z1'", "empty"]),
    ("partial landmarks", "x1,y1,x2,y2\n0.1,0.2,0.3,0.4\n", ["x1..x2", "33"]),
    ("no landmark columns", "a,b,c\n1,2,3\n", ["no landmark columns"]),
    ("duplicate column", "frame,nose_x,nose_y,nose_x\n0,1,1,1\n", ["'nose_x' appears twice"]),
    ("mixed layouts", "x0,y0,nose_x,nose_y\n1,1,1,1\n", ["mixes"]),
    ("name without y", "nose_x,left_hip_x,left_hip_y\n0.5,0.5,0.6\n", ["'nose' has no 'y' column"]),
    ("duplicate frame", "frame,nose_x,nose_y\n0,0.5,0.2\n1,0.5,0.2\n1,0.5,0.2\n", ["line 4: frame 1 appears twice", "line 3"]),
    ("negative frame", "frame,nose_x,nose_y\n0,0.5,0.2\n-3,0.5,0.2\n", ["line 3, column 'frame'", "negative"]),
    ("fractional frame", "frame,nose_x,nose_y\n0.5,0.5,0.2\n", ["line 2, column 'frame'", "whole number"]),
    ("frame beyond limit", "frame,nose_x,nose_y\n100000,0.5,0.2\n", ["line 2", "100,000"]),
    ("time backwards", "frame,time_ms,nose_x,nose_y\n0,40,0.5,0.2\n1,0,0.5,0.2\n", ["times do not increase", "frames 0 and 1"]),
    ("long: unknown landmark", _long("0,0,nose,0.5,0.2,0,1\n0,0,neck,0.5,0.3,0,1\n"), ["line 3, column 'landmark'", "'neck'"]),
    ("long: index 33", _long("0,0,33,0.5,0.2,0,1\n"), ["line 2", "'33'"]),
    ("long: duplicate", _long("0,0,nose,0.5,0.2,0,1\n1,33,nose,0.5,0.2,0,1\n0,0,nose,0.5,0.2,0,1\n"), ["line 4: frame 0, landmark 'nose' appears twice", "line 2"]),
    ("long: negative frame", _long("-1,0,nose,0.5,0.2,0,1\n"), ["line 2, column 'frame'", "negative"]),
    ("long: no frame column", "landmark,x,y\nnose,0.5,0.2\n", ["'frame' column"]),
    ("long: values without landmark", _long("0,0,,0.5,0.2,0,1\n"), ["line 2", "without a landmark"]),
    ("bad quoting", 'frame,landmark,x,y\n0,"nose"x,0.5,0.2\n', ["line 2"]),
    ("too many rows", "nose_x,nose_y\n" + "0.5,0.2\n" * 100_001, ["100,001 rows"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "fragments"), [c[1:] for c in CSV_REJECTIONS], ids=[c[0] for c in CSV_REJECTIONS]
)
def test_malformed_csv_is_rejected_with_the_line(text: str, fragments: list[str]) -> None:
    rejects(text, *fragments)


_OP = {"version": 1.3, "people": [{"pose_keypoints_2d": [100.0, 200.0, 0.9] * 25}]}
_COCO = [{"image_id": 0, "keypoints": [100, 200, 2] * 17, "score": 0.9}]


def _with(doc, path: list, value) -> str:
    doc = json.loads(json.dumps(doc))
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(doc)


JSON_REJECTIONS = [
    ("truncated", '{"frames": [', ["not valid JSON: line 1"]),
    ("NaN constant", '{"frames": [{"landmarks": [{"x": NaN, "y": 0}]}]}', ["NaN is not a JSON number"]),
    ("huge number", _mp_json_with(0, 4, "x", 12345.5).replace("12345.5", "1e999"), ["frames[0].landmarks[4].x is out of range"]),
    ("scalar", "[1, 2, 3]", ["[0]", "expected a frame object"]),
    ("frame not an object", '{"frames": [1]}', ["frames[0]: expected a frame object"]),
    ("unknown object", '{"poses": []}', ["not a pose file", "'frames'"]),
    ("no frames", '{"frames": []}', ["frames: no frames"]),
    ("frames not a list", '{"frames": {"0": {}}}', ["frames: expected a list"]),
    ("x not a number", _mp_json_with(3, 7, "x", "0.5"), ["frames[3].landmarks[7].x is not a number"]),
    ("y missing", _mp_json_with(1, 2, "y", None), ["frames[1].landmarks[2].y is not a number"]),
    ("boolean", _mp_json_with(0, 0, "z", True), ["frames[0].landmarks[0].z is not a number"]),
    ("visibility > 1", _mp_json_with(2, 5, "visibility", 3), ["frames[2].landmarks[5]", "outside 0..1"]),
    ("32 landmarks", json.dumps({"frames": [{"landmarks": mp_landmarks(swing_poses(1)[0])[:32]}]}), ["frames[0].landmarks: expected 33 landmarks, found 32"]),
    ("no landmarks field", '{"frames": [{"landmarks": []}, {"pose": []}]}', ["frames[1]: no 'landmarks' field"]),
    ("world only", '{"frames": [{"worldLandmarks": [[]]}]}', ["frames[0]", "world landmarks only"]),
    ("unknown name", '[{"keypoints": [{"name": "neck", "x": 1, "y": 2}]}]', ["[0].keypoints[0].name", "'neck'"]),
    ("negative frame", '{"frames": [{"frame": -2, "landmarks": []}]}', ["frames[0].frame", "negative"]),
    ("duplicate frame", '{"frames": [{"frame": 1, "landmarks": []}, {"frame": 1, "landmarks": []}]}', ["frames[1]: frame 1 appears twice", "frames[0]"]),
    ("bad fps", '{"fps": -30, "frames": [{"landmarks": []}]}', ["fps", "positive"]),
    ("bad width", '{"width": "wide", "height": 4, "frames": [{"landmarks": []}]}', ["width"]),
    ("openpose wrong count", _with(_OP, ["people", 0, "pose_keypoints_2d"], [1.0] * 60), ["people[0].pose_keypoints_2d: expected 75 (BODY_25) or 54 (COCO-18) values, found 60"]),
    ("openpose string", _with(_OP, ["people", 0, "pose_keypoints_2d", 4], "200"), ["pose_keypoints_2d[4] is not a number"]),
    ("openpose people not list", _with(_OP, ["people"], {"a": 1}), ["people: expected a list"]),
    ("openpose single file", _with(_OP, ["people", 0, "pose_keypoints_2d", 7], None), ["people[0].pose_keypoints_2d[7] is not a number"]),
    ("tasks single frame", json.dumps({"landmarks": [[{"x": 0.5, "y": 0.5}] * 30]}), ["landmarks[0]: expected 33 landmarks, found 30"]),
    ("one landmark list", json.dumps([{"x": 0.5, "y": 0.5}] * 3), ["the file: expected 33 landmarks, found 3"]),
    ("openpose no keypoints", _with(_OP, ["people", 0], {"person_id": [-1]}), ["people[0]: no 'pose_keypoints_2d'"]),
    ("openpose frame lacks people", json.dumps([_OP, {"version": 1.3}]), ["[1]: no 'people' field"]),
    ("coco wrong count", _with(_COCO, [0, "keypoints"], [1, 2, 2] * 16), ["[0].keypoints: expected 51 values", "found 48"]),
    ("coco no image id", _with(_COCO, [0, "image_id"], None), ["[0].image_id is not a number"]),
    ("coco annotations unknown image", json.dumps({"images": [{"id": 1, "width": 10, "height": 10}], "annotations": [{"image_id": 2, "keypoints": [1, 1, 2] * 17}]}), ["annotations[0].image_id: 2 is not in 'images'"]),
    ("coco images of two sizes", json.dumps({"images": [{"id": 1, "width": 10, "height": 10}, {"id": 2, "width": 20, "height": 10}], "annotations": []}), ["images[1]: size 20x10 differs"]),
    ("coco annotations without size", json.dumps({"annotations": [{"image_id": 0, "keypoints": [100, 200, 2] * 17}]}), ["pixels", "width and height"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "fragments"), [c[1:] for c in JSON_REJECTIONS], ids=[c[0] for c in JSON_REJECTIONS]
)
def test_malformed_json_is_rejected_with_the_field(text: str, fragments: list[str]) -> None:
    rejects(text, *fragments)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a pose file"),
        (bytes(range(256)) * 4, "not a pose file"),
        (b"\xff\xd8\xff\xe0garbage", "not UTF-8"),
        (b"frame,x\x00,y\n", "binary"),
    ],
)
def test_binary_files_are_rejected(data: bytes, fragment: str) -> None:
    rejects(data, fragment)


def test_json_extension_with_csv_content_says_it_is_not_json() -> None:
    rejects("frame,landmark,x,y\n0,nose,0.5,0.5\n", "not valid JSON", filename="poses.json")


def test_frame_size_argument_is_checked() -> None:
    with pytest.raises(PoseFileError, match="width"):
        load_pose_file(b"nose_x,nose_y\n1,1\n", width=0, height=10)


# ---------------------------------------------------------------------------------------------
# Export and round trip


def poses_with_gaps() -> np.ndarray:
    kp = swing_poses(6)
    kp[0, LANDMARK_INDEX["right_ankle"]] = np.nan
    kp[2] = np.nan  # no person
    kp[4, :11] = np.nan  # face hidden
    kp[5] = np.nan  # last frame empty: the frame count must survive
    return kp


def test_export_csv_layout() -> None:
    kp = swing_poses(2)
    kp[1, 1:] = np.nan
    text = export_pose_csv(kp, 30.0, frame_offset=100)
    lines = text.splitlines()
    assert lines[0] == "frame,time_ms,landmark,x,y,z,visibility"
    assert len(lines) == 1 + 33 + 1
    assert lines[1].startswith("100,3333.333333,nose,")
    assert lines[-1].startswith("101,3366.666667,nose,")
    assert all(len(field.split(".")[1]) == 6 for field in lines[1].split(",")[3:])


@pytest.mark.parametrize("fps", [30.0, 29.97002997, 240.0, None])
def test_csv_round_trip(fps: float | None) -> None:
    kp = poses_with_gaps()
    pose_file = load(export_pose_csv(kp, fps), "export.csv")
    assert pose_file.source_format == "pose-csv-long"
    assert_poses_equal(pose_file.keypoints, kp)
    np.testing.assert_array_equal(pose_file.frame_numbers, [0, 1, 2, 3, 4, 5][:2] + [3, 4, 5])
    if fps is None:
        assert pose_file.fps is None
    else:
        assert pose_file.fps == pytest.approx(fps, rel=1e-7)


def test_csv_round_trip_with_frame_offset_keeps_video_frame_numbers() -> None:
    kp = swing_poses(3)
    pose_file = load(export_pose_csv(kp, 60.0, frame_offset=40))
    assert pose_file.keypoints.shape == (43, 33, 4)
    assert np.isnan(pose_file.keypoints[:40]).all()
    assert_poses_equal(pose_file.keypoints[40:], kp)
    assert pose_file.fps == pytest.approx(60.0)


@pytest.mark.parametrize("fps", [30.0, None])
def test_json_round_trip(fps: float | None) -> None:
    kp = poses_with_gaps()
    doc = export_pose_json(kp, fps)
    assert len(doc["frames"]) == 6 and len(doc["frames"][0]["landmarks"]) == 33
    assert doc["frames"][2]["landmarks"] == [] and doc["frames"][0]["landmarks"][28] is None
    pose_file = load(json.dumps(doc), "export.json")
    assert pose_file.source_format == "mediapipe-json"
    assert_poses_equal(pose_file.keypoints, kp)
    assert pose_file.fps == fps


def test_export_rejects_wrong_shapes() -> None:
    with pytest.raises(ValueError, match="shape"):
        export_pose_csv(np.zeros((3, 17, 3)), 30.0)
    with pytest.raises(ValueError, match="fps"):
        export_pose_json(np.zeros((3, 33, 4)), 0.0)


# Normalized coordinates (MediaPipe reports off-frame joints a little outside 0..1), relative depth.
_xy = st.floats(-0.25, 1.25, width=32)
_z = st.floats(-3.0, 3.0, width=32)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=arrays(np.float32, st.tuples(st.integers(1, 8), st.just(33), st.just(4)), elements=_xy),
    depth=arrays(np.float32, 33, elements=_z),
    missing=st.data(),
    fps=st.one_of(st.none(), st.floats(1.0, 1000.0)),
    offset=st.integers(0, 50),
)
def test_round_trip_property(values, depth, missing, fps, offset) -> None:
    kp = values.copy()
    kp[..., 2] = depth
    kp[..., 3] = np.clip(kp[..., 3], 0, 1)
    mask = missing.draw(arrays(np.bool_, kp.shape[:2]))
    kp[mask] = np.nan
    expected = np.concatenate([np.full((offset, 33, 4), np.nan, np.float32), kp])
    from_csv = load(export_pose_csv(kp, fps, frame_offset=offset))
    assert_poses_equal(from_csv.keypoints, expected)
    from_json = load(json.dumps(export_pose_json(kp, fps, frame_offset=offset)))
    assert_poses_equal(from_json.keypoints, expected)


# ---------------------------------------------------------------------------------------------
# Fuzz: nothing but PoseFileError escapes


def _only_pose_file_errors(data: bytes, **size) -> None:
    try:
        pose_file = load_pose_file(data, **size)
    except PoseFileError:
        return
    kp = pose_file.keypoints
    assert kp.dtype == np.float32 and kp.ndim == 3 and kp.shape[1:] == (33, 4)
    assert np.isfinite(kp[~np.isnan(kp)]).all()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_fuzz_random_bytes(data: bytes) -> None:
    _only_pose_file_errors(data)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_fuzz_random_text(text: str) -> None:
    _only_pose_file_errors(text.encode("utf-8", "surrogatepass"))


_KEYS = [
    "frames", "fps", "width", "height", "frame", "landmarks", "pose_landmarks", "landmark",
    "poseLandmarks", "worldLandmarks", "keypoints", "people", "pose_keypoints_2d", "annotations",
    "images", "image_id", "id", "score", "x", "y", "z", "visibility", "name", "time_ms",
    "timestampMs", "label", "nose",
]  # fmt: skip
_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0, 1, 2, 0.5, -1, 1e6, 640, "nose", ""]),
    lambda inner: (
        st.lists(inner, max_size=40)
        | st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=5), inner, max_size=6)
    ),
    max_leaves=200,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_json_values, st.sampled_from([None, (640, 480)]))
def test_fuzz_structured_json(doc, size) -> None:
    data = json.dumps(doc).encode()
    _only_pose_file_errors(data, **({} if size is None else {"width": size[0], "height": size[1]}))


_COLUMNS = [
    "frame", "class", "time_ms", "time", "landmark", "x", "y", "z", "visibility", "x0", "y0",
    "x1", "y1", "z1", "v1", "x33", "nose_x", "nose_y", "nose_z", "nose_visibility", "left_hip_x",
    "left_hip_y", "nose", "",
]  # fmt: skip
_cells = st.sampled_from(
    ["", "0", "1", "0.5", "-3", "2", "nose", "33", "1e400", "nan", "1.5e2", "x"]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(_COLUMNS), min_size=1, max_size=8),
    st.lists(st.lists(_cells, max_size=9), max_size=6),
    st.sampled_from([",", ";", "\t"]),
)
def test_fuzz_structured_csv(header, rows, delimiter) -> None:
    text = "\n".join(delimiter.join(r) for r in [header, *rows])
    _only_pose_file_errors(text.encode(), width=640, height=480)
    _only_pose_file_errors(text.encode())


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 400), st.binary(min_size=1, max_size=8))
def test_fuzz_corrupted_exports(position: int, junk: bytes) -> None:
    kp = poses_with_gaps()[:2]
    for text in (export_pose_csv(kp, 30.0), json.dumps(export_pose_json(kp, 30.0))):
        data = text.encode()
        pos = position % len(data)
        _only_pose_file_errors(data[:pos] + junk + data[pos + len(junk) :])


def _valid_docs() -> list:
    kp = swing_poses(2)
    person = openpose_person(kp[0], OPENPOSE_BODY25_NAMES, 640, 480)
    return [
        export_pose_json(kp, 30.0),
        [{"timestampMs": 0, "landmarks": [mp_landmarks(kp[0])], "worldLandmarks": []}],
        {"version": 1.3, "width": 640, "height": 480, "people": [person, person]},
        [{"image_id": 0, "keypoints": coco_keypoints(kp[0], 640, 480, False), "score": 0.9}],
        {
            "images": [{"id": 7, "width": 640, "height": 480}],
            "annotations": [{"image_id": 7, "keypoints": coco_keypoints(kp[1], 640, 480, True)}],
        },
    ]


def _paths(doc, prefix=()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc[:3]):
            out += _paths(value, (*prefix, i))
    return out


_DOCS = _valid_docs()
_DOC_PATHS = [(d, p) for d, doc in enumerate(_DOCS) for p in _paths(doc) if p]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_DOC_PATHS), _json_values)
def test_fuzz_one_field_of_a_valid_file(target, value) -> None:
    index, path = target
    doc = json.loads(json.dumps(_DOCS[index]))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    _only_pose_file_errors(json.dumps(doc).encode(), width=640, height=480)
