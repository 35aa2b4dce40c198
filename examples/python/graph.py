"""Microsoft's Graph SDK for Python (msgraph-sdk) and azure-identity against localgraph.

Needs `serve --tls` (the SDK sends tokens over https only) and a client of the tenant:

    localgraph client add --json --tenant contoso.example \
        --role DeviceManagementManagedDevices.ReadWrite.All
    SSL_CERT_FILE=data/tls/ca.pem REQUESTS_CA_BUNDLE=data/tls/ca.pem \
    LOCALGRAPH_URL=https://127.0.0.1:8080 LOCALGRAPH_TENANT=contoso.example \
    LOCALGRAPH_CLIENT_ID=… LOCALGRAPH_CLIENT_SECRET=… python graph.py

The SDK (httpx) trusts SSL_CERT_FILE, azure-identity (requests) REQUESTS_CA_BUNDLE.
"""

import asyncio
import os
import uuid
from urllib.parse import urlparse

from azure.identity import ClientSecretCredential
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.device_management.managed_devices.count.count_request_builder import (
    CountRequestBuilder,
)
from msgraph.generated.device_management.managed_devices.managed_devices_request_builder import (
    ManagedDevicesRequestBuilder,
)
from msgraph.generated.models.compliance_state import ComplianceState
from msgraph.generated.models.managed_device import ManagedDevice
from msgraph_core import PageIterator
from msgraph_core.authentication import AzureIdentityAuthenticationProvider
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem


def graph_client() -> GraphServiceClient:
    base = os.environ["LOCALGRAPH_URL"].rstrip("/")
    credential = ClientSecretCredential(
        os.environ["LOCALGRAPH_TENANT"],
        os.environ["LOCALGRAPH_CLIENT_ID"],
        os.environ["LOCALGRAPH_CLIENT_SECRET"],
        authority=base,  # the server is the token authority
        disable_instance_discovery=True,  # an authority Entra ID does not list
    )
    auth = AzureIdentityAuthenticationProvider(
        credential,
        scopes=["https://graph.microsoft.com/.default"],
        # Without this the SDK sends tokens to Microsoft's hosts only (then: 401).
        allowed_hosts=[urlparse(base).hostname],
    )
    adapter = GraphRequestAdapter(auth)
    adapter.base_url = f"{base}/v1.0"
    return GraphServiceClient(request_adapter=adapter)


async def main() -> None:
    client = graph_client()
    devices = client.device_management.managed_devices
    prefix = f"example-{uuid.uuid4().hex[:8]}"

    # create
    ids = []
    for i in range(3):
        # The SDK sends the properties Graph lets clients write (not deviceName, which
        # Intune reports): managedDeviceName, notes, complianceState, …
        device = ManagedDevice(
            managed_device_name=f"{prefix}-{i}",
            compliance_state=ComplianceState.Compliant if i else ComplianceState.Noncompliant,
        )
        created = await devices.post(device)
        ids.append(created.id)
    print("created", ids)

    # list with $filter and $top (2 a page), every page through the SDK's iterator
    query = ManagedDevicesRequestBuilder.ManagedDevicesRequestBuilderGetQueryParameters(
        filter=f"startswith(managedDeviceName,'{prefix}')", top=2, orderby=["managedDeviceName"]
    )
    first = await devices.get(RequestConfiguration(query_parameters=query))
    assert first.odata_next_link, "3 devices at 2 a page: a next link"
    names = []
    pages = PageIterator(first, client.request_adapter)
    await pages.iterate(lambda d: names.append(d.managed_device_name) or True)
    assert names == [f"{prefix}-{i}" for i in range(3)], names
    print("listed", names)

    # /$count with a filter
    compliant = CountRequestBuilder.CountRequestBuilderGetQueryParameters(
        filter=f"startswith(managedDeviceName,'{prefix}') and complianceState eq 'compliant'"
    )
    count = await devices.count.get(RequestConfiguration(query_parameters=compliant))
    assert count == 2, count
    print("counted", count, "compliant")

    # get, patch
    device = await devices.by_managed_device_id(ids[0]).get()
    assert device.compliance_state == ComplianceState.Noncompliant, device.compliance_state
    patched = await devices.by_managed_device_id(ids[0]).patch(
        ManagedDevice(compliance_state=ComplianceState.Compliant)
    )
    assert patched.compliance_state == ComplianceState.Compliant
    print("patched", patched.id)

    # $batch: a GET of each device in one request
    # msgraph-core 1.5.2 puts absolute URLs in the batch, which Graph refuses (400):
    # make them relative to the version (msgraph-sdk-python#1015, -python-core#1116).
    batch = BatchRequestContent()
    for i, device_id in enumerate(ids):
        get = devices.by_managed_device_id(device_id).to_get_request_information()
        item = BatchRequestItem(request_information=get, id=str(i))
        item.url = item.url.removeprefix(client.request_adapter.base_url)
        batch.add_request(item.id, item)
    answered = await client.batch.post(batch_request_content=batch)
    statuses = answered.get_response_status_codes()
    assert statuses == {str(i): 200 for i in range(3)}, statuses
    # msgraph-core 1.5.2 reads an item's body only when it is base64 text; Graph (and
    # localgraph) answer JSON objects, so response_body() fails: the statuses are what
    # this SDK version can check.
    print("batched", statuses)

    # delete
    for device_id in ids:
        await devices.by_managed_device_id(device_id).delete()
    left = CountRequestBuilder.CountRequestBuilderGetQueryParameters(
        filter=f"startswith(managedDeviceName,'{prefix}')"
    )
    assert await devices.count.get(RequestConfiguration(query_parameters=left)) == 0
    print("deleted", len(ids))


asyncio.run(main())
