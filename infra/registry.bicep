// Connects an existing registry to the deployed app (deployed in the registry's resource group):
//  - an Event Grid system topic with one subscription, retried for 24 h and dead-lettered to a blob
//    container: to the acrEventGrid trigger, or, when entraAudience is set, as Microsoft Entra
//    protected webhook delivery to POST /api/acr/eventgrid (autopilot.yaml ingress.eventGrid.entra);
//  - optionally the native ACR webhooks to /api/acr/webhook: one in the registry's location, or one
//    per replica region of a geo-replicated registry, each naming its region (?region=).
param containerRegistryName string
param functionAppId string
param functionAppHostName string
param deadLetterStorageAccountId string
param deadLetterContainerName string

@secure()
param acrWebhookSecret string

@description('The header ACR sends the secret in: autopilot.yaml ingress.webhookHeader (default Authorization).')
param webhookHeader string = 'Authorization'

@description('Create the native ACR webhooks (Event Grid alone is enough; the webhooks are faster but never retried).')
param createWebhooks bool = true

@description('Replica regions to create one webhook each in (geo-replication); empty = one webhook in the registry\'s location.')
param webhookRegions array = []

@description('Directory of the app registration Event Grid requests tokens for; empty = this subscription\'s tenant.')
param entraTenantId string = ''

@description('Application id URI or client id of that app registration (ingress.eventGrid.entra.audience); empty = deliver to the acrEventGrid trigger.')
param entraAudience string = ''

var eventTypes = [
  'Microsoft.ContainerRegistry.ImagePushed'
  'Microsoft.ContainerRegistry.ImageDeleted'
  'Microsoft.ContainerRegistry.ChartPushed'
  'Microsoft.ContainerRegistry.ChartDeleted'
]
var webhookActions = ['push', 'delete', 'chart_push', 'chart_delete']
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor

// Function keys exist once the host has started: this is why the registry is connected in phase 2.
var functionKey = listKeys('${functionAppId}/host/default', '2023-12-01').functionKeys.default
var webhookUri = 'https://${functionAppHostName}/api/acr/webhook?code=${functionKey}'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: containerRegistryName
}

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: 'evgt-${containerRegistryName}'
  location: registry.location
  identity: { type: 'SystemAssigned' }
  properties: {
    source: registry.id
    topicType: 'Microsoft.ContainerRegistry.Registries'
  }
}

// The topic's identity writes dead letters (the storage account refuses shared keys), to that container only.
module deadLetterRole 'blob-container-role.bicep' = {
  name: 'autopilot-deadletter-role'
  scope: resourceGroup(split(deadLetterStorageAccountId, '/')[2], split(deadLetterStorageAccountId, '/')[4])
  params: {
    storageAccountName: last(split(deadLetterStorageAccountId, '/'))
    containerName: deadLetterContainerName
    principalId: topic.identity.principalId
    roleDefinitionId: storageBlobDataContributor
  }
}

// The Event Grid trigger: the AzureFunction endpoint type fetches the eventgrid_extension key itself.
// One event per request: the trigger runs once per event and a failure retries the whole request.
var functionDestination = {
  endpointType: 'AzureFunction'
  properties: {
    resourceId: '${functionAppId}/functions/acrEventGrid'
    maxEventsPerBatch: 1
    preferredBatchSizeInKilobytes: 64
  }
}

// Entra protected delivery: Event Grid sends a bearer token for entraAudience, which the HTTP function
// verifies. The function key still guards the route (authLevel function).
var entraDestination = {
  endpointType: 'WebHook'
  properties: {
    endpointUrl: 'https://${functionAppHostName}/api/acr/eventgrid?code=${functionKey}'
    azureActiveDirectoryTenantId: empty(entraTenantId) ? subscription().tenantId : entraTenantId
    azureActiveDirectoryApplicationIdOrUri: entraAudience
    maxEventsPerBatch: 1
    preferredBatchSizeInKilobytes: 64
  }
}

resource eventSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: 'acr-autopilot'
  properties: {
    destination: empty(entraAudience) ? functionDestination : entraDestination
    eventDeliverySchema: 'EventGridSchema'
    filter: { includedEventTypes: eventTypes }
    // Event Grid's maximum: 30 attempts within 24 h; then (and at once on a 400) the dead-letter container.
    retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 }
    deadLetterWithResourceIdentity: {
      identity: { type: 'SystemAssigned' }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: { resourceId: deadLetterStorageAccountId, blobContainerName: deadLetterContainerName }
      }
    }
  }
  dependsOn: [deadLetterRole]
}

// ACR cannot sign webhooks: the function key travels in the URL, the shared secret in a header.
// Webhooks are regional: each fires when a push has landed in its replica, and says which (?region=).
resource webhook 'Microsoft.ContainerRegistry/registries/webhooks@2023-07-01' = if (createWebhooks && empty(webhookRegions)) {
  parent: registry
  name: 'acrautopilot'
  location: registry.location
  properties: {
    serviceUri: '${webhookUri}&region=${registry.location}'
    customHeaders: { '${webhookHeader}': acrWebhookSecret }
    actions: webhookActions
    scope: ''
    status: 'enabled'
  }
}

resource regionalWebhooks 'Microsoft.ContainerRegistry/registries/webhooks@2023-07-01' = [
  for region in webhookRegions: if (createWebhooks) {
    parent: registry
    // 5–50 letters and digits, one per region.
    name: take('acrautopilot${replace(toLower(region), ' ', '')}', 50)
    location: region
    properties: {
      serviceUri: '${webhookUri}&region=${uriComponent(region)}'
      customHeaders: { '${webhookHeader}': acrWebhookSecret }
      actions: webhookActions
      scope: ''
      status: 'enabled'
    }
  }
]

output systemTopicName string = topic.name
