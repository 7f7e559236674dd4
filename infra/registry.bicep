// Connects an existing registry to the deployed app: an Event Grid system topic with a subscription
// to the acrEventGrid function (retried for 24 h, dead-lettered to blob), and the native ACR webhook
// to /api/acr/webhook with the shared Authorization header. Deployed in the registry's resource group.
param containerRegistryName string
param functionAppId string
param functionAppHostName string
param deadLetterStorageAccountId string
@secure()
param acrWebhookSecret string

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

// The topic's identity writes dead letters; the storage account refuses shared keys.
module deadLetterRole 'storage-role.bicep' = {
  name: 'autopilot-deadletter-role'
  scope: resourceGroup(split(deadLetterStorageAccountId, '/')[4])
  params: {
    storageAccountName: last(split(deadLetterStorageAccountId, '/'))
    principalId: topic.identity.principalId
    roleDefinitionId: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor
  }
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: 'acr-autopilot'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/acrEventGrid'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.ContainerRegistry.ImagePushed'
        'Microsoft.ContainerRegistry.ImageDeleted'
        'Microsoft.ContainerRegistry.ChartPushed'
        'Microsoft.ContainerRegistry.ChartDeleted'
      ]
    }
    retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 }
    deadLetterWithResourceIdentity: {
      identity: { type: 'SystemAssigned' }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: { resourceId: deadLetterStorageAccountId, blobContainerName: 'eventgrid-deadletter' }
      }
    }
  }
  dependsOn: [deadLetterRole]
}

// ACR cannot sign webhooks: the function key travels in the URL, the shared secret in a header.
resource webhook 'Microsoft.ContainerRegistry/registries/webhooks@2023-07-01' = {
  parent: registry
  name: 'acrautopilot'
  location: registry.location
  properties: {
    serviceUri: 'https://${functionAppHostName}/api/acr/webhook?code=${listKeys('${functionAppId}/host/default', '2023-12-01').functionKeys.default}'
    customHeaders: { Authorization: acrWebhookSecret }
    actions: ['push', 'delete', 'chart_push', 'chart_delete']
    scope: ''
    status: 'enabled'
  }
}
