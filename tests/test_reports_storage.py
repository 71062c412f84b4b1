"""Report files go through Django's storage API: local disk by default, an S3-compatible bucket when
S3_BUCKET is set (here an in-process S3 endpoint, moto — the object store is not ours to run)."""

from __future__ import annotations

import boto3
import pytest
from django.urls import reverse
from django.utils import timezone
from moto import mock_aws

from reports.documents import build as documents
from reports.documents import services, state
from reports.models import Report
from tests.reports_world import ReportWorld
from tests.test_settings import PRODUCTION_ENV, manage

S3_OPTIONS = {
    "bucket_name": "ght-rapports",
    "region_name": "eu-west-3",
    "access_key": "cle-de-test",
    "secret_key": "secret-de-test",
    "default_acl": "private",
    "file_overwrite": False,
}


def test_s3_bucket_is_configured_from_the_environment():
    env = {**PRODUCTION_ENV, "S3_BUCKET": "ght-rapports", "S3_ENDPOINT_URL": "https://s3.fr-par.scw.cloud"}
    code = "from django.conf import settings; d = settings.STORAGES['default']; print(d['BACKEND'], d['OPTIONS'])"
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert "storages.backends.s3.S3Storage" in result.stdout and "s3.fr-par.scw.cloud" in result.stdout


@pytest.mark.django_db
def test_a_report_is_stored_in_the_bucket_and_served_to_members(ght, make_member, settings, client):
    world = ReportWorld(ght, make_member)
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-3")
        s3.create_bucket(Bucket="ght-rapports", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": S3_OPTIONS},
        }
        report, _ = services.request_report(
            membership=world.director.memberships.get(),
            data={"kind": "roadmap", "plan": world.plan.pk, "year": world.year, "filiere": world.geriatrics.pk},
            acting_user=world.director,
        )
        report = state.claim(report.pk)
        built = documents.build(report, progress=lambda percent, step: None)
        state.finish(report, name=report.download_name(), content=built.content, page_count=1, as_of=built.as_of)
        report.refresh_from_db()
        keys = [item["Key"] for item in s3.list_objects_v2(Bucket="ght-rapports")["Contents"]]
        assert keys == [report.file.name] and keys[0].startswith(f"reports/{ght.pk}/")
        client.force_login(world.director)
        response = client.get(reverse("report_download", kwargs={"ght_slug": ght.slug, "report_id": report.pk}))
        assert b"".join(response.streaming_content) == built.content
        assert Report.objects.get(pk=report.pk).data_as_of == timezone.localdate()
