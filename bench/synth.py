"""Deterministic synthetic Hugo site for the speed benchmark.

    python bench/synth.py OUT [--episodes 10000] [--seed 7]

Writes ``OUT/content/podcast/NNNNN/index.md``: Academic "talk" front matter, an
anchor.fm player, then Japanese/English notes shaped like the real show's. The mix
and sizes follow the real notes: about a quarter are player-only (title and summary),
topic episodes carry 2-15 KB of notes under a few headings, news roundups carry up
to 18 link headings, and a few long recaps reach 25 KB. The vocabulary mixes katakana,
kanji and Latin cloud names, plus thousands of made-up product names so the index
has a vocabulary the size a long-running show would have. Everything is written here;
nothing is copied from real notes. ``query_mix`` and ``prefix_mix`` give the fixed
queries the benchmark times.
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

VERSION = 1  # bump when the output changes, so cached sites are regenerated
JST = timezone(timedelta(hours=9))

SERVICES = """Cloud Run|CloudFront|Lambda|Fargate|BigQuery|Dataflow|Kubeflow|SageMaker|EventBridge
Step Functions|DynamoDB|Aurora|Redshift|Athena|Glue|Kinesis|Pub/Sub|Cloud Spanner|Cloud SQL|GKE
EKS|ECS|App Runner|Amplify|AppSync|Cognito|IAM|CloudWatch|X-Ray|CloudTrail|GuardDuty|Security Hub
Route 53|API Gateway|Cloud Functions|Cloud Build|Artifact Registry|Vertex AI|AutoML|Dataproc
Cloud Composer|Looker|Data Fusion|Dataform|Anthos|Cloud Armor|Cloud CDN|Memorystore|Firestore
Bigtable|Cloud Storage|S3|EFS|Lightsail|Elastic Beanstalk|CodeBuild|CodePipeline|CodeDeploy
CodeCommit|Cloud9|CloudShell|AWS Batch|Outposts|Graviton|Inferentia|Trainium|Bottlerocket|Proton
Copilot|App Mesh|Terraform|Pulumi|Kubernetes|Istio|Envoy|Prometheus|Grafana|OpenTelemetry|Argo CD
Helm|Knative|Tekton|Airflow|Spark|Kafka|Flink|Apache Beam|Redis|Elasticsearch|OpenSearch|PostgreSQL
MySQL|MongoDB|Snowflake|Databricks|TensorFlow|PyTorch|Jupyter|MLflow|Ray|ONNX|Jetson|Docker Hub
containerd|WebAssembly|Cloudflare Workers|Durable Objects|Azure Functions|Cosmos DB|GitHub Actions
Codespaces|Well-Architected|Auto Scaling|Direct Connect|Transit Gateway|Secrets Manager|KMS|WAF
Shield|Macie|Fraud Detector|Rekognition|Textract|Comprehend|Polly|Transcribe|Translate|Lookout
Panorama|Monitron|HealthLake|DevOps Guru|CodeGuru|Braket|Quantum Ledger|Timestream|Neptune"""
SERVICES_LIST = [s for line in SERVICES.splitlines() for s in line.split("|")]

KATAKANA_NAMES = {
    "Cloud Run": "クラウドラン",
    "CloudFront": "クラウドフロント",
    "Dataflow": "データフロー",
    "Kubeflow": "キューブフロー",
    "Lambda": "ラムダ",
    "Fargate": "ファーゲート",
    "BigQuery": "ビッグクエリ",
    "SageMaker": "セージメーカー",
    "Snowflake": "スノーフレーク",
    "Terraform": "テラフォーム",
    "Kubernetes": "クバネティス",
    "Prometheus": "プロメテウス",
    "Airflow": "エアフロー",
    "Elasticsearch": "エラスティックサーチ",
    "Jetson": "ジェットソン",
    "Anthos": "アンソス",
    "Amplify": "アンプリファイ",
    "EventBridge": "イベントブリッジ",
    "Lightsail": "ライトセイル",
    "Athena": "アテナ",
    "Aurora": "オーロラ",
}

KATAKANA = """アーキテクチャ コンテナ サーバレス デプロイ パイプライン ワークフロー モニタリング
ダッシュボード オートスケール マイクロサービス リージョン ゾーン ネットワーク ロードバランサ
キャッシュ ストレージ データベース クエリ スキーマ マイグレーション バックアップ レプリカ
インスタンス クラスタ ノード ポッド イメージ レジストリ ビルド テスト リリース ロールバック
カナリア ブルーグリーン トレース ログ メトリクス アラート インシデント ポストモーテム
セキュリティ ポリシー ロール トークン シークレット エンドポイント ゲートウェイ プロキシ
キュー トピック ストリーム バッチ スケジューラ トリガー イベント ハンドラ ランタイム
レイテンシ スループット コスト クォータ ベンチマーク チューニング プロファイル ハンズオン
ワークショップ セッション キーノート カンファレンス ウェビナー ドキュメント チュートリアル
サンプル テンプレート プラグイン エディタ ターミナル コマンドライン ライブラリ フレームワーク
モデル トレーニング データセット アノテーション パラメータ ハイパーパラメータ エッジ デバイス
センサー カメラ ゲームサーバ シャドーイング レッスン ポッドキャスト リスナー エピソード
ベンダーロックイン ホワイトペーパー チェックリスト ガイドライン ディストリビューション
エッジロケーション オリジン フェイルオーバー デュアルリージョン フェデレーション
デッドレターキュー パッケージフォーマット コードカバレッジ スケジュールスケーリング"""
KATAKANA_LIST = KATAKANA.split()

KANJI = """機械学習 認証 認可 料金 障害 移行 検証 構築 運用 設計 資格 試験 勉強会
分散学習 推論 前処理
可用性 冗長化 監視 権限 暗号化 費用 性能 開発環境 本番環境 自動化 無料枠 値下げ 一般提供
新機能 発表 買収 提携 上場 政府 基盤 規制 法律 著作権 免許 教育 採用 年収 在宅勤務 分報
英会話 疎結合 非同期 整合性 負荷試験 脆弱性 証明書 帯域 遅延 課金 見積もり 設計図 構成図"""
KANJI_LIST = KANJI.split()

HOSTS = ("田中", "佐藤")
CATEGORIES = ("AWS", "GCP", "Azure", "OSS", "AWS+GCP", "雑談回")
SUFFIXES = ("", "入門", "超概要", "の認証", "でハマったこと", "のアップデート", "を使ってみた")
MEDIA = ("Publickey", "ZDNet", "ITmedia", "Gigazine", "InfoQ", "TechCrunch", "@IT", "公式ブログ")
EVENTS = (
    "を一般提供",
    "をプレビュー公開",
    "の東京リージョン対応を発表",
    "が値下げ",
    "の新機能をリリース",
    "がオープンソース化",
    "のサポートを開始",
    "で大規模障害",
)
SENTENCES = (
    "{a}の{k}について話した。",
    "{a}は{b}と比べて{j}が分かりやすい印象。",
    "個人的には{a}の{j}が気になっている。",
    "{a}を使って{k}を{j}してみたら、思ったより簡単だった。",
    "{a}と{b}の違いがよく分かっていない...",
    "詳しくはpodcastにて。",
    "{k}の観点では{a}が一番バランスが良さそう。",
    "ドキュメントは英語だけど、{a}の{j}の説明はとても丁寧。",
    "We talked about how {a} handles {k} compared with {b}.",
    "The {a} team announced better {k} support this month.",
    "{j}の話は前回の{a}の回でも少しした。",
    "{a}の{k}は{b}でも同じように{j}できるはず。（多分）",
)
NEGATIVES = (
    "Rust borrow checker",
    "寿司の握り方",
    "Kotlin coroutines",
    "猫の飼い方",
    "確定申告のやり方",
    "Haskell monad transformer",
    "サッカーワールドカップ",
    "how to bake sourdough bread",
    "住宅ローンの金利",
    "京都のおすすめ観光地",
)

_SYLLABLES = ("ka", "ri", "to", "ne", "so", "mi", "ra", "vo", "ze", "lu", "ta", "ni", "ko", "be")
_TAILS = ("Stream", "Relay", "Vault", "Forge", "Pulse", "Beacon", "Grid", "Lens", "Hub", "Flow")


def product_names(seed: int, count: int = 3000) -> list[str]:
    """Made-up product names ("Kazeri Relay"), unique and stable for a seed."""
    rng = random.Random(seed * 7919 + 1)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        name = f"{word} {rng.choice(_TAILS)}" if rng.random() < 0.6 else word
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


class _Writer:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.products = product_names(seed)

    def term(self) -> str:
        r = self.rng.random()
        if r < 0.45:
            return self.rng.choice(SERVICES_LIST)
        if r < 0.65:
            return self.rng.choice(self.products)
        return self.rng.choice(KATAKANA_LIST)

    def sentence(self, topic: str | None = None) -> str:
        rng = self.rng
        return rng.choice(SENTENCES).format(
            a=topic if topic and rng.random() < 0.5 else self.term(),
            b=self.term(),
            k=rng.choice(KATAKANA_LIST + KANJI_LIST),
            j=rng.choice(KANJI_LIST + KATAKANA_LIST),
        )

    def link(self, text: str) -> str:
        slug = "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
        host = self.rng.choice(("docs.example.com", "news.example.jp", "blog.example.dev"))
        return f"[{text}](https://{host}/{slug})"

    def paragraph(self, topic: str | None, size: int) -> list[str]:
        lines: list[str] = []
        used = 0
        while used < size:
            r = self.rng.random()
            if r < 0.5:
                line = self.sentence(topic) + "  "
            elif r < 0.85:
                line = "* " + self.sentence(topic)
            else:
                line = "* " + self.link(self.sentence(topic).rstrip("。.")) + "も参照。"
            lines.append(line)
            used += len(line.encode("utf-8"))
        return lines

    def headline(self) -> tuple[str, str]:
        rng = self.rng
        product = rng.choice(self.products) if rng.random() < 0.6 else rng.choice(SERVICES_LIST)
        return product, f"{product}{rng.choice(EVENTS)}（{rng.choice(MEDIA)}）"


def _size(rng: random.Random, low: int, high: int, median: int) -> int:
    return int(min(high, max(low, rng.lognormvariate(0, 0.55) * median)))


def episode_markdown(writer: _Writer, number: int, when: datetime) -> str:
    rng = writer.rng
    kind = rng.choices(("player", "topic", "roundup", "recap"), (25, 40, 31, 4))[0]
    host = rng.choice(HOSTS)
    body: list[str] = []
    if kind in ("player", "topic"):
        topic = rng.choice(SERVICES_LIST if rng.random() < 0.7 else writer.products)
        category = rng.choice(CATEGORIES)
        title = f"#{number} 【{category}】{topic}{rng.choice(SUFFIXES)}"
        summary = f"{host}が{topic}について話したよ。"
        if kind == "topic":
            target = _size(rng, 1500, 15000, 5000)
            heads = rng.randint(2, 14)
            body.append("# 話したこと")
            for i in range(heads):
                level = "##" if i == 0 or rng.random() < 0.6 else "###"
                body.append("")
                body.append(f"{level} {topic if i == 0 else writer.term()}")
                body.append("")
                body.extend(writer.paragraph(topic, target // heads))
    else:
        items = rng.randint(6, 18) if kind == "roundup" else 18
        target = _size(rng, 4000, 15000, 6500) if kind == "roundup" else rng.randint(15000, 25000)
        body.append("# Show Notes")
        names: list[str] = []
        for _ in range(items):
            product, headline = writer.headline()
            names.append(product)
            body.append("")
            body.append("## " + writer.link(headline))
            body.append("")
            body.extend(writer.paragraph(product, target // items))
        title = f"#{number} " + ", ".join(dict.fromkeys(names[:3])) + ", etc"
        summary = f"{host}がクラウド関連のニュースをピックアップして話したよ。"
    slug = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))
    stamp = when.isoformat()
    front = [
        "---",
        f'title: "{title}"',
        f'summary: "{summary}"',
        f'abstract: "{summary}"',
        "event:",
        "event_url:",
        "location:",
        "address:",
        "  street:",
        "  city:",
        "  country:",
        "",
        "# When the talk happened; the end time stays hidden.",
        f"date: {stamp}",
        f"#date_end: {stamp}",
        "all_day: false",
        "",
        "# When the page goes public (not the talk date).",
        f"publishDate: {stamp}",
        "",
        "authors: []",
        "tags: []",
        "featured: false",
        "",
        "# Featured image: put featured.jpg next to this file to use one.",
        "image:",
        '  caption: ""',
        '  focal_point: ""',
        "  preview_only: false",
        "",
        "url_slides:",
        "url_code:",
        "url_pdf:",
        "url_video:",
        'slides: ""',
        "projects: []",
        "---",
        "",
        f'<iframe src="https://anchor.fm/synthcast/embed/episodes/ep{number}-{slug}" '
        'height="102px" width="400px" frameborder="0" scrolling="no"></iframe>',
        "",
    ]
    return "\n".join(front + body) + "\n"


def generate(target: Path, episodes: int = 10_000, seed: int = 7) -> Path:
    """Write the site under ``target``; returns its content folder."""
    writer = _Writer(seed)
    content = Path(target) / "content"
    start = datetime(2015, 1, 4, 1, 0, tzinfo=JST)
    for number in range(1, episodes + 1):
        when = start + timedelta(days=3 * number, minutes=writer.rng.randint(0, 600))
        folder = content / "podcast" / f"{number:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = episode_markdown(writer, number, when)
        (folder / "index.md").write_text(text, encoding="utf-8")
    return content


def query_mix(episodes: int, seed: int = 7, count: int = 300) -> list[str]:
    """A fixed mix of full queries, every class the quality benchmark has."""
    rng = random.Random(seed + 101)
    products = product_names(seed)
    out: list[str] = []
    makers = [
        lambda: rng.choice(("#{}", "第{}回", "ep.{}", "{}回目", "エピソード{}")).format(
            rng.randint(1, episodes)
        ),
        lambda: rng.choice(SERVICES_LIST),
        lambda: rng.choice(products),
        lambda: _typo(rng, rng.choice(SERVICES_LIST + products)),
        lambda: _hiragana(rng.choice(KATAKANA_LIST)),
        lambda: rng.choice(list(KATAKANA_NAMES.values())),
        lambda: _full_width(rng.choice(SERVICES_LIST).upper()),
        lambda: rng.choice(("{}について話した回はどれ？", "which episode talks about {}?")).format(
            rng.choice(SERVICES_LIST + products)
        ),
        lambda: f"{rng.choice(SERVICES_LIST)} {rng.choice(KANJI_LIST)}",
        lambda: rng.choice(NEGATIVES),
    ]
    while len(out) < count:
        out.append(makers[len(out) % len(makers)]())
    return out


def prefix_mix(seed: int = 7, count: int = 300) -> list[str]:
    """Autocomplete-style prefixes: the first 1-6 characters of names and terms."""
    rng = random.Random(seed + 202)
    pool = SERVICES_LIST + product_names(seed)[:500] + KATAKANA_LIST + KANJI_LIST
    out = []
    for i in range(count):
        word = rng.choice(pool)
        out.append(word[: 1 + i % min(6, len(word))])
    return out


def _hiragana(text: str) -> str:
    """Katakana to hiragana: ァ-ヶ move down by 0x60, the long-vowel mark ー stays."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def _full_width(text: str) -> str:
    """ASCII to full-width forms, as a phone keyboard in full-width mode types it."""
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text
    )


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word.lower()
    i = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5:
        return (word[:i] + word[i + 1] + word[i] + word[i + 2 :]).lower()
    return (word[:i] + word[i + 1 :]).lower()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the site into")
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    content = generate(args.out, args.episodes, args.seed)
    print(content)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
